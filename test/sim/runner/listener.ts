// Fake Runner.Listener entry (bundled to test/sim/dist/runner-listener.mjs): `run`, `configure`,
// `remove`, `--version`. Speaks the fake GitHub's private runner channel (github.md §9.6, §10).
import { configureCommand, removeCommand } from './listener/configure';
import { runnerVersion } from './listener/paths';
import { RunListener } from './listener/run';
import { Term } from './listener/term';

// Under nohup the real runner survives a hangup; node would not without this (see bin/ wrappers).
if (process.env.RUNNER_SIGHUP_IGNORED === '1') process.on('SIGHUP', () => undefined);

async function main(argv: string[]): Promise<number> {
  const term = new Term();
  const command = (argv[0] ?? '').toLowerCase();
  const rest = argv.slice(1);
  if (command === '--version') {
    term.line(runnerVersion());
    return 0;
  }
  if (command === 'configure') return configureCommand(term, rest, process.env);
  if (command === 'remove') return removeCommand(term, rest, process.env);
  if (command === 'run' || command === '') {
    const listener = new RunListener(term, process.env);
    process.on('SIGINT', () => listener.onSignal('SIGINT'));
    process.on('SIGTERM', () => listener.onSignal('SIGTERM'));
    return listener.run(rest);
  }
  term.error(`An error occurred: Unknown command '${argv[0]}'.`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    // An unhandled exception is a retryable error for run-helper.
    process.stderr.write(`An error occurred: ${err.message}\n`);
    process.exit(2);
  },
);
