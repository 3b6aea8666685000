/** Where a log line came from: Ekiden itself, the tart CLI, a guest command, or the runner's output. */
export type LogSource = 'host' | 'tart' | 'guest' | 'runner';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogContext {
  scope?: string;
  slot?: number;
  vm?: string;
  job?: string;
  source?: LogSource;
}

/** The logging port the core writes to. Implementations redact before anything leaves the process. */
export interface Logger {
  log(level: LogLevel, text: string, ctx?: LogContext): void;
  child(ctx: LogContext): Logger;
}

export function bindLogger(sink: (level: LogLevel, text: string, ctx: LogContext) => void, base: LogContext = {}): Logger {
  return {
    log: (level, text, ctx) => sink(level, text, { ...base, ...ctx }),
    child: (ctx) => bindLogger(sink, { ...base, ...ctx }),
  };
}

export const nullLogger: Logger = bindLogger(() => {});
