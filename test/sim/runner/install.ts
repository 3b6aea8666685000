// Installs the fake actions runner into a (simulated guest's) home directory as ~/actions-runner
// (github.md §10 layout). The binaries are bash wrappers around the bundles in test/sim/dist.
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_SH, RUN_HELPER_TEMPLATE, RUN_SH, binaryWrapper } from './scripts';

export const DEFAULT_RUNNER_VERSION = '2.336.0';

export interface FakeRunnerOptions {
  /** Runner version baked into the image (default 2.336.0). */
  version?: string;
  /** Directory holding runner-listener.mjs and runner-worker.mjs (default: test/sim/dist). */
  distDir?: string;
  /**
   * The fake server's time scale, known before the first response (the runner otherwise learns it
   * from x-fake-time-scale); matters for a guest that never reaches the server (net.guest_offline).
   */
  timeScale?: number;
}

/** Where the bundles live, also when this module is itself bundled into test/sim/dist. */
export function simDistDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, '..', 'dist'), here, path.join(here, 'dist')];
  return candidates.find((c) => existsSync(path.join(c, 'runner-listener.mjs'))) ?? candidates[0];
}

export function runnerRoot(homeDir: string): string {
  return path.join(homeDir, 'actions-runner');
}

export async function installFakeRunner(homeDir: string, opts: FakeRunnerOptions = {}): Promise<void> {
  const root = runnerRoot(homeDir);
  const dist = opts.distDir ?? simDistDir();
  await mkdir(path.join(root, 'bin'), { recursive: true });
  await mkdir(path.join(root, '_diag'), { recursive: true });
  const files: [string, string][] = [
    ['run.sh', RUN_SH],
    ['run-helper.sh.template', RUN_HELPER_TEMPLATE],
    ['config.sh', CONFIG_SH],
    ['bin/Runner.Listener', binaryWrapper('Runner.Listener', path.join(dist, 'runner-listener.mjs'), process.execPath)],
    ['bin/Runner.Worker', binaryWrapper('Runner.Worker', path.join(dist, 'runner-worker.mjs'), process.execPath)],
  ];
  for (const [rel, text] of files) {
    const file = path.join(root, rel);
    await writeFile(file, text);
    await chmod(file, 0o755);
  }
  await writeFile(path.join(root, 'bin', 'runner.version'), `${opts.version ?? DEFAULT_RUNNER_VERSION}\n`);
  if (opts.timeScale !== undefined) await writeFile(path.join(root, 'bin', '.time-scale'), String(opts.timeScale));
}
