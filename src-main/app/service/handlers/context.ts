// What every handler gets: the app's services. Electron-free, so a WebSocket bridge can build the
// same context and call the same handlers.
import type { LogBuffer } from '../../../core/telemetry/log-buffer';
import type { Redactor } from '../../../core/telemetry/redact';
import type { HostController } from '../host-controller';
import type { WritableSecretStore } from '../secret-store';
import type { SettingsService } from '../settings-service';
import type { StateFeed } from '../state-feed';

export interface DesktopPort {
  logsDir: string;
  /** Opens a folder in the Finder (Electron: shell.openPath). */
  openPath(path: string): Promise<void>;
}

export interface ClientPort {
  /** The renderer is ready for pushes; returns how many waited. */
  ready(): number;
}

export interface HandlerContext {
  controller: HostController;
  feed: StateFeed;
  logs: LogBuffer;
  settings: SettingsService;
  secrets: WritableSecretStore;
  redactor: Redactor;
  env: NodeJS.ProcessEnv;
  desktop: DesktopPort;
  client: ClientPort;
}
