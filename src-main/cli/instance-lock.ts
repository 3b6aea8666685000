import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Another Ekiden already runs on this state directory: starting a second would reap its VMs. */
export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One `ekiden run` per state directory: a pid file created exclusively (0600). A file left by a
 * process that is gone (kill -9, power cut) is taken over.
 */
export async function acquireInstanceLock(stateDir: string): Promise<{ release(): Promise<void> }> {
  const file = path.join(stateDir, 'ekiden.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return {
        async release() {
          const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
          if (owner === process.pid) await unlink(file).catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new AlreadyRunningError(
          `another Ekiden (pid ${pid}) already runs with the state directory ${stateDir}; ` +
            'a second one would remove its VMs as leftovers. Stop it first (`ekiden status` shows it).',
        );
      }
      await unlink(file).catch(() => {});
    }
  }
  throw new AlreadyRunningError(`could not take the instance lock ${file}; another Ekiden is starting`);
}
