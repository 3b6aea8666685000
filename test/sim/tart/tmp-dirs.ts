// tmp/<uuid>: in-flight clones and pulls, locked by their owner; GC removes unlocked ones (tart.md §1).
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TartHome } from './home';
import { holderAlive, readHolder, selfHolder, writeJsonAtomic } from './fsx';
import type { Ctx } from './ctx';

const LOCK = '.sim-lock';

export function newTmpDir(home: TartHome): string {
  const dir = path.join(home.tmpDir, randomUUID().toUpperCase());
  fs.mkdirSync(dir, { recursive: true });
  writeJsonAtomic(path.join(dir, LOCK), selfHolder());
  return dir;
}

/** Drops the owner record before the directory is moved into place. */
export function releaseTmpDir(dir: string): void {
  fs.rmSync(path.join(dir, LOCK), { force: true });
}

export function gcTmp(ctx: Ctx): void {
  let names: string[];
  try {
    names = fs.readdirSync(ctx.home.tmpDir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = path.join(ctx.home.tmpDir, n);
    if (holderAlive(readHolder(path.join(p, LOCK)))) continue;
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch (e) {
      ctx.err(`Failed to perform garbage collection: ${(e as Error).message}`);
    }
  }
}
