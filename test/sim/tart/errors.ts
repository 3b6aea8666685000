// The three ways Tart fails (tart.md §3).

/** Tart's RuntimeError: the bare message on stderr; exit 2 for does-not-exist / not-running / already-running. */
export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Any other error: ArgumentParser prints `Error: <description>` and exits 1. */
export class GenericError extends Error {}

/** ValidationError, unknown flag or subcommand: `Error: <message>`, the usage, exit 64. */
export class UsageError extends Error {}

/** A command that ends the process with a given code after printing what it printed (exec, run). */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export const notFound = (name: string): RuntimeError =>
  new RuntimeError(`the specified VM "${name}" does not exist`, 2);
export const notRunning = (name: string): RuntimeError => new RuntimeError(`VM "${name}" is not running`, 2);
export const alreadyRunning = (name: string): RuntimeError =>
  new RuntimeError(`VM "${name}" is already running!`, 2);
export const missingFiles = (): RuntimeError =>
  new RuntimeError('VM is missing some of its files (config.json, disk.img or nvram.bin)', 1);
