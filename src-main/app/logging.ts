// electron-log for main and renderer (telemetry.md §5.1): one main.log, written by the core's file
// transport settings, with the core Redactor as a hook, so renderer lines are redacted too.
import log from 'electron-log/main';
import type { Hook, LogMessage } from 'electron-log';
import { format } from 'node:util';
import type { EventBus } from '../core/events/bus';
import { LogFiles } from '../core/telemetry/log-files';
import type { Redactor } from '../core/telemetry/redact';

export interface AppLogging {
  files: LogFiles;
  stop(): void;
}

export interface LoggingOptions {
  logsDir: string;
  redactor: Redactor;
  bus: EventBus;
  /** Echo lines on stdout (`electron .` in a terminal); a packaged app has no one reading it. */
  console: boolean;
}

const alreadyRedacted = (m: LogMessage) => (m.variables?.ekiden as { redacted?: boolean } | undefined)?.redacted === true;

/** The file transport has the core's hook; this covers every other transport (the console). */
export function redactOtherTransports(redact: (text: string) => string): Hook {
  return (message, _transport, name) =>
    name === 'file' || alreadyRedacted(message) ? message : { ...message, data: [redact(format(...message.data))] };
}

export function setupLogging(o: LoggingOptions): AppLogging {
  // Injects electron-log's preload into every session: the renderer logs through it to this file.
  log.initialize();
  const redact = (t: string) => o.redactor.redact(t);
  const files = new LogFiles({ dir: o.logsDir, redact }, log);
  log.hooks.push(redactOtherTransports(redact));
  // Main's lines are not echoed into the window's devtools; the window reads logs over our IPC.
  if (log.transports.ipc) log.transports.ipc.level = false;
  log.transports.console.level = o.console ? 'info' : false;
  const unfollow = files.follow(o.bus);
  log.errorHandler.startCatching({ showDialog: false });
  // render-process-gone, child-process-gone and the like, as log lines.
  log.eventLogger.startLogging();
  return {
    files,
    stop() {
      unfollow();
      log.errorHandler.stopCatching();
      log.eventLogger.stopLogging();
    },
  };
}
