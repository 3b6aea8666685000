import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EkidenHost } from '../core/ekiden-host';
import type { HostSnapshot } from '../core/runner/supervisor';

export interface StatusFile {
  pid: number;
  updatedAt: string;
  jobsCompleted: number;
  host: HostSnapshot;
}

/** Keeps status.json current for `ekiden status`: written atomically (0600) at most every 250 ms. */
export function writeStatusOnChange(host: EkidenHost, file: string): { flush(): Promise<void>; stop(): void } {
  let jobs = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const write = () => {
    timer = undefined;
    const body: StatusFile = { pid: process.pid, updatedAt: new Date().toISOString(), jobsCompleted: jobs, host: host.snapshot() };
    const tmp = `${file}.${process.pid}.tmp`;
    writing = writing
      .then(() => mkdir(path.dirname(file), { recursive: true, mode: 0o700 }))
      .then(() => writeFile(tmp, JSON.stringify(body, null, 2), { mode: 0o600 }))
      .then(() => rename(tmp, file))
      .catch(() => {});
  };
  const unsubscribe = host.bus.subscribe((e) => {
    if (e.type === 'job.completed') jobs++;
    if (e.type === 'log') return;
    timer ??= setTimeout(write, 250);
  });
  write();
  return {
    async flush() {
      if (timer) clearTimeout(timer);
      write();
      await writing;
    },
    stop() {
      unsubscribe();
      if (timer) clearTimeout(timer);
    },
  };
}
