// VMs started at the Virtualization.framework level on this simulated host. Separate from the run lock,
// because the guest limit counts what VZ runs even when Tart's lock was lost (tart.lock_lost).
import fs from 'node:fs';
import path from 'node:path';
import type { TartHome } from './home';
import { holderAlive, readJson, writeJsonAtomic, type Holder } from './fsx';

export interface VzEntry extends Holder {
  runId: string;
  name: string;
  os: 'darwin' | 'linux';
}

const dir = (home: TartHome): string => home.sim('vz');

export function registerVz(home: TartHome, e: VzEntry): void {
  writeJsonAtomic(path.join(dir(home), `${e.runId}.json`), e);
}

export function unregisterVz(home: TartHome, runId: string): void {
  fs.rmSync(path.join(dir(home), `${runId}.json`), { force: true });
}

export function liveVz(home: TartHome): VzEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir(home));
  } catch {
    return [];
  }
  const out: VzEntry[] = [];
  for (const n of names) {
    const e = readJson<VzEntry | undefined>(path.join(dir(home), n), undefined);
    if (e && holderAlive(e)) out.push(e);
    else if (e) fs.rmSync(path.join(dir(home), n), { force: true });
  }
  return out;
}
