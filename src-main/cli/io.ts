/** What a command needs from its process, so tests can run commands in-process. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout(line: string): void;
  stderr(line: string): void;
  /** Registers the handler for SIGINT / SIGTERM / SIGQUIT. */
  onSignal(handler: (signal: NodeJS.Signals) => void): void;
}

export function processIo(): CliIo {
  return {
    env: process.env,
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    onSignal: (handler) => {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGQUIT'] as const) process.on(signal, () => handler(signal));
    },
  };
}
