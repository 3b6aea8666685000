// Command-line parsing for `ekiden run | doctor | status` (node:util parseArgs; no extra package).
import { parseArgs } from 'node:util';

export interface CliArgs {
  command: 'run' | 'doctor' | 'status' | 'help';
  config?: string;
  once: boolean;
  json: boolean;
}

export const USAGE = `Usage: ekiden <command> [options]

Commands:
  run      Run the VM slots until Ctrl-C (first Ctrl-C drains: running jobs finish; second stops now)
  doctor   Check this host, GitHub access and the image; print each problem with its fix
  status   Show the state of a running \`ekiden run\` on this host

Options:
  --config PATH   Configuration file (default: $EKIDEN_CONFIG, else the platform default)
  --once          run: drain after the first job (or one cycle per slot), then exit
  --json          doctor/status: machine-readable output
  -h, --help      Show this help`;

export class UsageError extends Error {}

export function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        once: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help', once: false, json: false };
  if (positionals.length === 0) throw new UsageError('a command is required');
  const [command, ...rest] = positionals;
  if (!['run', 'doctor', 'status'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  return { command: command as CliArgs['command'], config: values.config, once: values.once ?? false, json: values.json ?? false };
}
