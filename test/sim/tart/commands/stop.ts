// `tart stop <name> [--timeout N]` (tart.md §4): SIGINT to the lock holder, poll every 100 ms,
// SIGKILL at the deadline. A suspended VM just loses its state file.
import fs from 'node:fs';
import { intOption, type CommandSpec, type Parsed } from '../args';
import type { Ctx } from '../ctx';
import { notRunning, RuntimeError } from '../errors';
import { openLocal } from '../vm-dir';
import { holderAlive, sleep } from '../fsx';

export const spec: CommandSpec = {
  name: 'stop',
  usage: '<name> [--timeout <timeout>]',
  options: ['timeout'],
  short: { t: 'timeout' },
  positionals: [{ name: 'name' }],
};

export async function run(ctx: Ctx, p: Parsed): Promise<void> {
  const timeout = intOption(p, 'timeout', 30)!;
  const name = p.pos[0];
  const vm = openLocal(ctx.home, name);
  const holder = vm.lockHolder();
  if (!holder) {
    if (fs.existsSync(vm.statePath)) {
      fs.rmSync(vm.statePath, { force: true });
      return;
    }
    throw notRunning(name);
  }
  try {
    process.kill(holder.pid, 'SIGINT');
  } catch {
    /* exited meanwhile */
  }
  const deadline = Date.now() + timeout * 1000;
  while (holderAlive(holder) && vm.lockHolder() !== undefined) {
    if (Date.now() >= deadline) {
      try {
        process.kill(holder.pid, 'SIGKILL');
      } catch (e) {
        throw new RuntimeError(`failed to forcefully terminate the VM "${name}": ${(e as NodeJS.ErrnoException).errno ?? e}`);
      }
      while (holderAlive(holder)) await sleep(100);
      return;
    }
    await sleep(100);
  }
}
