// `tart exec [-i] [-t] <name> <command> [args...]` (tart.md §4): the guest agent runs the command;
// stdout/stderr/exit code pass through, -i forwards stdin including EOF.
import type { CommandSpec, Parsed } from '../args';
import type { Ctx } from '../ctx';
import { ExitCode, GenericError, notRunning, RuntimeError } from '../errors';
import { openLocal } from '../vm-dir';
import { connectAgent } from '../agent-client';
import { b64, onFrames, sendFrame, unb64 } from '../agent-protocol';

export const spec: CommandSpec = {
  name: 'exec',
  usage: '[-i] [-t] <name> <command> ...',
  flags: ['interactive', 'tty'],
  short: { i: 'interactive', t: 'tty' },
  positionals: [{ name: 'name' }, { name: 'command', variadic: true }],
  passthrough: true,
};

export async function run(ctx: Ctx, p: Parsed): Promise<void> {
  if (ctx.home.config().hostMacos < 14) throw new RuntimeError('"tart exec" is only available on macOS 14 (Sonoma) or newer');
  const name = p.pos[0];
  const vm = openLocal(ctx.home, name);
  if (!vm.running()) throw notRunning(name);

  let sock;
  try {
    sock = await connectAgent(vm.controlSocket, 3000);
  } catch (e) {
    throw new RuntimeError(`Failed to connect to the VM using its control socket: ${(e as Error).message}, is the Tart Guest Agent running?`);
  }
  const [cmd, ...args] = p.rest;
  const interactive = p.flags.has('interactive');
  sendFrame(sock, { t: 'exec', name: cmd, args, interactive, tty: p.flags.has('tty') });

  if (interactive) {
    process.stdin.on('data', (d: Buffer) => sendFrame(sock, { t: 'stdin', data: b64(d) }));
    process.stdin.on('end', () => sendFrame(sock, { t: 'stdin-eof' }));
    process.stdin.on('error', () => sendFrame(sock, { t: 'stdin-eof' }));
  }

  await new Promise<void>((_resolve, reject) => {
    let done = false;
    onFrames(sock, (f) => {
      if (f.t === 'stdout') ctx.write(1, unb64(f.data));
      else if (f.t === 'stderr') ctx.write(2, unb64(f.data));
      else if (f.t === 'exit') {
        done = true;
        sock.destroy();
        reject(new ExitCode(f.code));
      } else if (f.t === 'error') {
        done = true;
        sock.destroy();
        reject(new GenericError(f.message));
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (!done) reject(new GenericError('unavailable (14): Transport became inactive'));
    });
  });
}
