// The headless entry point: `ekiden run | doctor | status`.
import { ConfigError } from '../core/config/config-error';
import { parseCli, USAGE, UsageError } from './args';
import { AlreadyRunningError } from './instance-lock';
import { doctorCommand } from './commands/doctor';
import { runCommand } from './commands/run';
import { statusCommand } from './commands/status';
import { processIo, type CliIo } from './io';

/** Exit codes: 0 ok, 1 failure, 2 bad configuration or usage (nothing was started), 3 not running (status). */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const args = parseCli(argv);
    switch (args.command) {
      case 'help':
        io.stdout(USAGE);
        return 0;
      case 'run':
        return await runCommand(args, io);
      case 'doctor':
        return await doctorCommand(args, io);
      case 'status':
        return await statusCommand(args, io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`ekiden: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof AlreadyRunningError) {
      io.stderr(`ekiden: ${error.message}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr(error.message);
      return 2;
    }
    io.stderr(`ekiden: ${(error as Error).message}`);
    return 1;
  }
}

const isEntry = process.argv[1] && /(?:^|[\\/])main\.[cm]?[jt]s$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2), processIo()).then((code) => process.exit(code));
}
