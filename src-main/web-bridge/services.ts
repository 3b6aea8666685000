// The app's services without Electron: the same host controller, state and log feeds and IPC
// handlers that src-main/app/index.ts wires, for the web bridge (development, tests, the demo).
import path from 'node:path';
import type { ReadManagedOptions } from '../core/config/managed';
import { createCoreLogger } from '../core/ekiden-host';
import { EventBus } from '../core/events/bus';
import { LogBuffer } from '../core/telemetry/log-buffer';
import { Redactor } from '../core/telemetry/redact';
import { systemClock } from '../core/util/clock';
import type { Logger } from '../core/util/logger';
import { PUSH } from '../ipc/channels';
import type { AppInfo } from '../ipc/types';
import type { ClientPort, HandlerContext } from '../app/service/handlers';
import { HostController, type HostControllerOptions } from '../app/service/host-controller';
import { LogFeed } from '../app/service/log-feed';
import type { Deliver } from '../app/service/push-gate';
import { MemorySecretStore } from '../app/service/secret-store';
import { SettingsService } from '../app/service/settings-service';
import { StateFeed } from '../app/service/state-feed';

export interface BridgeServicesOptions {
  configFile: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  appVersion?: string;
  /** Shown in the app info; nothing is written there by the bridge. */
  logsDir?: string;
  managed?: ReadManagedOptions;
  hostOptions?: HostControllerOptions['hostOptions'];
  startRetryMs?: number;
}

export interface BridgeServices {
  controller: HostController;
  feed: StateFeed;
  logFeed: LogFeed;
  settings: SettingsService;
  logs: LogBuffer;
  bus: EventBus;
  /** Ekiden's own log (scope `app`), e.g. for tests that stream lines. */
  logger: Logger;
  /** The handlers' context for one client (its `renderer:ready` opens its own push gate). */
  contextFor(client: ClientPort): HandlerContext;
  /** Receives every push (state patches, log batches); returns the unsubscribe. */
  subscribe(deliver: Deliver): () => void;
  /** Shuts the host down (drain or now) and stops the feeds. */
  stop(how?: 'drain' | 'now'): Promise<void>;
}

export function createBridgeServices(o: BridgeServicesOptions): BridgeServices {
  const bus = new EventBus();
  const redactor = new Redactor();
  const logs = new LogBuffer({ redact: (t) => redactor.redact(t) });
  const logger = createCoreLogger(bus, logs, systemClock).child({ scope: 'app' });
  // No safeStorage outside Electron: secrets set through the UI live in memory for this run only.
  const secrets = new MemorySecretStore();
  const appVersion = o.appVersion ?? '0.0.0-dev';
  const logsDir = o.logsDir ?? path.join(o.stateDir, 'logs');
  const controller = new HostController({
    configFile: o.configFile, stateDir: o.stateDir, env: o.env, secretStore: secrets, bus, redactor, logs, logger, appVersion,
    managed: o.managed, hostOptions: o.hostOptions, startRetryMs: o.startRetryMs,
  });
  const settings = new SettingsService({ configFile: o.configFile, env: o.env, secrets, managed: o.managed });
  const appInfo = (): AppInfo => ({ name: 'Ekiden', version: appVersion, platform: process.platform, configPath: o.configFile, logsDir, startAtLogin: false });

  const clients = new Set<Deliver>();
  const broadcast: Deliver = (channel, payload) => {
    for (const deliver of [...clients]) deliver(channel, payload);
  };
  const feed = new StateFeed({ bus, source: controller, appInfo, send: (p) => broadcast(PUSH.statePatch, p) });
  const logFeed = new LogFeed({ bus, send: (b) => broadcast(PUSH.logsAppend, b) });

  const base: Omit<HandlerContext, 'client'> = {
    controller, feed, logs, settings, secrets, redactor, env: o.env,
    desktop: {
      logsDir,
      openPath: async (p) => {
        throw new Error(`the web bridge cannot open folders; the logs are in ${p}`);
      },
    },
  };

  return {
    controller, feed, logFeed, settings, logs, bus, logger,
    contextFor: (client) => ({ ...base, client }),
    subscribe(deliver) {
      clients.add(deliver);
      return () => clients.delete(deliver);
    },
    async stop(how = 'drain') {
      await controller.shutdown(how);
      logFeed.stop();
      feed.stop();
      clients.clear();
    },
  };
}
