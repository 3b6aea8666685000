// electron-log for main and renderer (telemetry.md §5.1): one main.log, written by the core's file
// transport settings, with the core Redactor as a hook, so renderer lines are redacted too.
import log from 'electron-log/main';
import type { EventBus } from '../core/events/bus';
import { LogFiles } from '../core/telemetry/log-files';
import type { Redactor } from '../core/telemetry/redact';

export interface AppLogging {
  files: LogFiles;
  stop(): void;
}

export function setupLogging(o: { logsDir: string; redactor: Redactor; bus: EventBus }): AppLogging {
  // Injects electron-log's preload into every session: the renderer logs through it to this file.
  log.initialize();
  const files = new LogFiles({ dir: o.logsDir, redact: (t) => o.redactor.redact(t) }, log);
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
