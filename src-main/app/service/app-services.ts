// Everything behind the IPC contract, without Electron: the host controller, settings, the state
// and log feeds, and the handler context. The Electron main process and a WebSocket bridge both
// build this and differ only in their transport, their secret store and their desktop actions.
import type { ReadManagedOptions } from '../../core/config/managed';
import { createCoreLogger } from '../../core/ekiden-host';
import { EventBus } from '../../core/events/bus';
import { LogBuffer } from '../../core/telemetry/log-buffer';
import { Redactor } from '../../core/telemetry/redact';
import { systemClock } from '../../core/util/clock';
import type { Logger } from '../../core/util/logger';
import { PUSH } from '../../ipc/channels';
import type { AppInfo } from '../../ipc/types';
import type { ClientPort, DesktopPort, HandlerContext } from './handlers';
import { HostController, type HostControllerOptions } from './host-controller';
import { HostHealthMonitor, type HostHealthOptions } from './host-health';
import { LogFeed } from './log-feed';
import type { Deliver } from './push-gate';
import type { WritableSecretStore } from './secret-store';
import { SettingsService } from './settings-service';
import { StateFeed } from './state-feed';

export interface AppServicesOptions {
  configFile: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  secrets: WritableSecretStore;
  appVersion: string;
  appInfo: () => AppInfo;
  desktop: DesktopPort;
  /** Where state patches and log batches go (a ready gate per window or socket). */
  push: Deliver;
  managed?: ReadManagedOptions;
  hostOptions?: HostControllerOptions['hostOptions'];
  startRetryMs?: number;
  /** How often the host header's disk and preflight are re-read (tests shorten them). */
  healthIntervals?: Pick<HostHealthOptions, 'diskIntervalMs' | 'checksIntervalMs'>;
}

export interface AppServices {
  bus: EventBus;
  redactor: Redactor;
  logs: LogBuffer;
  logger: Logger;
  controller: HostController;
  settings: SettingsService;
  feed: StateFeed;
  logFeed: LogFeed;
  health: HostHealthMonitor;
  secrets: WritableSecretStore;
  /** The handler context for one client (its `renderer:ready` opens its own gate). */
  contextFor(client: ClientPort): HandlerContext;
  /** Stops the feeds (after the controller has shut down). */
  stop(): void;
}

export function createAppServices(o: AppServicesOptions): AppServices {
  const bus = new EventBus();
  const redactor = new Redactor();
  const logs = new LogBuffer({ redact: (t) => redactor.redact(t) });
  const logger = createCoreLogger(bus, logs, systemClock).child({ scope: 'app' });
  const controller = new HostController({
    configFile: o.configFile, stateDir: o.stateDir, env: o.env, secretStore: o.secrets, bus, redactor, logs, logger,
    appVersion: o.appVersion, managed: o.managed, hostOptions: o.hostOptions, startRetryMs: o.startRetryMs,
  });
  const settings = new SettingsService({ configFile: o.configFile, env: o.env, secrets: o.secrets, managed: o.managed });
  // The monitor reports only after the controller changes, by which time `feed` exists.
  const health = new HostHealthMonitor({ source: controller, env: o.env, logger, onChange: () => feed.changed(), ...o.healthIntervals });
  const feed = new StateFeed({ bus, source: controller, appInfo: o.appInfo, health: () => health.current(), send: (p) => o.push(PUSH.statePatch, p) });
  const logFeed = new LogFeed({ bus, send: (b) => o.push(PUSH.logsAppend, b) });
  return {
    bus, redactor, logs, logger, controller, settings, feed, logFeed, health, secrets: o.secrets,
    contextFor: (client) => ({ controller, feed, logs, settings, secrets: o.secrets, redactor, env: o.env, desktop: o.desktop, client }),
    stop() {
      health.stop();
      logFeed.stop();
      feed.stop();
    },
  };
}
