// Files of the runner root (RUNNER_ROOT, set by the bin/ wrappers).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const root = (): string => process.env.RUNNER_ROOT ?? path.resolve(path.dirname(process.argv[1] ?? '.'), '..');

export const file = (name: string) => path.join(root(), name);

export const VERSION_FILE = 'bin/runner.version';
export const TIME_SCALE_FILE = 'bin/.time-scale';
export const UPDATE_FINISHED = 'update.finished';

export function runnerVersion(): string {
  try {
    return readFileSync(file(VERSION_FILE), 'utf8').trim() || '2.336.0';
  } catch {
    return '2.336.0';
  }
}

export function setRunnerVersion(v: string): void {
  writeFileSync(file(VERSION_FILE), `${v}\n`);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
