// The app's services without Electron: the same host controller, state and log feeds and IPC
// handlers that src-main/app/index.ts wires, for the web bridge (development, tests, the demo).
import path from 'node:path';
import type { ReadManagedOptions } from '../core/config/managed';
import type { EventBus } from '../core/events/bus';
import type { LogBuffer } from '../core/telemetry/log-buffer';
import type { Logger } from '../core/util/logger';
import type { AppInfo } from '../ipc/types';
import { createAppServices } from '../app/service/app-services';
import type { ClientPort, HandlerContext } from '../app/service/handlers';
import type { HostController, HostControllerOptions } from '../app/service/host-controller';
import type { LogFeed } from '../app/service/log-feed';
import type { Deliver } from '../app/service/push-gate';
import { MemorySecretStore } from '../app/service/secret-store';
import type { SettingsService } from '../app/service/settings-service';
import type { StateFeed } from '../app/service/state-feed';

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
  const appVersion = o.appVersion ?? '0.0.0-dev';
  const logsDir = o.logsDir ?? path.join(o.stateDir, 'logs');
  const clients = new Set<Deliver>();
  const broadcast: Deliver = (channel, payload) => {
    for (const deliver of [...clients]) deliver(channel, payload);
  };
  // The app's own services; only the transport (a broadcast to sockets), the secret store (no
  // safeStorage outside Electron: secrets set in the UI live in memory for this run) and the
  // desktop actions differ.
  const app = createAppServices({
    configFile: o.configFile, stateDir: o.stateDir, env: o.env, secrets: new MemorySecretStore(), appVersion,
    appInfo: (): AppInfo => ({ name: 'Ekiden', version: appVersion, platform: process.platform, configPath: o.configFile, logsDir, startAtLogin: false }),
    desktop: {
      logsDir,
      openPath: async (p) => {
        throw new Error(`the web bridge cannot open folders; the logs are in ${p}`);
      },
    },
    push: broadcast,
    managed: o.managed, hostOptions: o.hostOptions, startRetryMs: o.startRetryMs,
  });

  return {
    controller: app.controller, feed: app.feed, logFeed: app.logFeed, settings: app.settings, logs: app.logs, bus: app.bus, logger: app.logger,
    contextFor: app.contextFor,
    subscribe(deliver) {
      clients.add(deliver);
      return () => clients.delete(deliver);
    },
    async stop(how = 'drain') {
      await app.controller.shutdown(how);
      app.stop();
      clients.clear();
    },
  };
}
