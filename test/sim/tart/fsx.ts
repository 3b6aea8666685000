// File primitives shared by every fake-tart process and the guest: atomic writes, pid-based locks
// (Node has no fcntl, so a lock is a record naming a live process), process liveness.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export function writeFileAtomic(file: string, data: string | Buffer, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
  if (mode !== undefined) fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

export function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A process identity that survives pid reuse: pid plus kernel start time. */
export interface Holder {
  pid: number;
  start: string;
}

/** Start time of a live process, undefined when it is gone or a zombie (a zombie holds no locks). */
export function procStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
  return rest[19];
}

export function selfHolder(): Holder {
  return { pid: process.pid, start: procStartTime(process.pid) ?? '' };
}

export function holderAlive(h: Holder | undefined): boolean {
  if (!h || typeof h.pid !== 'number') return false;
  const start = procStartTime(h.pid);
  return start !== undefined && (h.start === '' || h.start === start);
}

export function readHolder(file: string): Holder | undefined {
  const h = readJson<Holder | undefined>(file, undefined);
  return h && typeof h.pid === 'number' ? h : undefined;
}

/** Takes the lock file if it is free or its holder is dead. The record appears atomically (link), never torn. */
export function tryLock(file: string, holder: Holder = selfHolder()): boolean {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  fs.writeFileSync(tmp, JSON.stringify(holder));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(tmp, file);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      if (holderAlive(readHolder(file))) return false;
      try {
        fs.unlinkSync(file);
      } catch {
        /* someone else broke it first */
      }
    }
    return false;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export function unlock(file: string, holder: Holder = selfHolder()): void {
  const current = readHolder(file);
  if (current && current.pid === holder.pid) {
    try {
      fs.unlinkSync(file);
    } catch {
      /* already gone */
    }
  }
}

/** Short critical sections (state files): spin with a tiny sleep. */
export function withLockSync<T>(file: string, fn: () => T): T {
  const deadline = Date.now() + 30_000;
  while (!tryLock(file)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${file}`);
    sleepSync(3);
  }
  try {
    return fn();
  } finally {
    unlock(file);
  }
}

/** Long waits (pull host lock, TART_HOME lock during clone): poll asynchronously. */
export async function lockAsync(file: string, onWait?: () => void, pollMs = 20): Promise<() => void> {
  if (!tryLock(file)) {
    onWait?.();
    while (!tryLock(file)) await sleep(pollMs);
  }
  const me = selfHolder();
  return () => unlock(file, me);
}

export function rmrf(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}

export function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
