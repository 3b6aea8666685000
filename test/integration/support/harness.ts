// Ekiden's core running for real against a simulated host: real processes (fake tart, guests,
// runners), real sockets (SSH, HTTP). Tests wait on events with bounds, never on wall-clock luck.
import { mkdir } from 'node:fs/promises';
import { loadHostConfig } from '../../../src-main/cli/load-host-config';
import type { EkidenConfigInput } from '../../../src-main/core/config/schema';
import { createEkidenHost, type EkidenHost } from '../../../src-main/core/ekiden-host';
import type { EkidenEvent, EventOf } from '../../../src-main/core/events/types';
import type { Clock } from '../../../src-main/core/util/clock';
import { startSimHost, type SimHost, type SimHostOptions } from '../../sim/host';

export interface Harness {
  sim: SimHost;
  host: EkidenHost;
  events: EkidenEvent[];
  /** Every log line Ekiden produced (already redacted), as it would reach a file or the UI. */
  logText(): string;
  /** Resolves with the first event (past or future) matching; rejects after `timeoutMs`. */
  waitFor<T extends EkidenEvent['type']>(type: T, match?: (e: EventOf<T>) => boolean, timeoutMs?: number): Promise<EventOf<T>>;
  /** Resolves when `count` events match. */
  waitForCount<T extends EkidenEvent['type']>(type: T, count: number, match?: (e: EventOf<T>) => boolean, timeoutMs?: number): Promise<EventOf<T>[]>;
  of<T extends EkidenEvent['type']>(type: T, match?: (e: EventOf<T>) => boolean): EventOf<T>[];
  /** Shuts Ekiden down (drain or now) and returns what it left behind. */
  shutdown(how?: 'drain' | 'now'): Promise<{ vms: string[]; runners: string[] }>;
  /** Removes everything the test started; safe to call twice. */
  dispose(): Promise<void>;
}

export interface HarnessOptions extends SimHostOptions {
  /** Start the supervisor right away (default true). */
  start?: boolean;
  configure?: (config: EkidenConfigInput) => void;
  /** Ekiden's time source (fake time for schedules such as the image check interval). */
  clock?: Clock;
  /** First re-check of a host-wide error in seconds (Ekiden's default is 30). */
  hostRetrySeconds?: number;
  /** Adjusts the environment Ekiden runs with (e.g. a launchd context without HOME and PATH). */
  env?: (env: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
  /** Acts on the simulated world before Ekiden is created (e.g. a fault its GitHub connect must meet). */
  beforeHost?: (sim: SimHost) => Promise<void>;
}

/** Short bounds so a failing phase shows up in seconds; tests override what they exercise. */
export function fastTimeouts(config: EkidenConfigInput): void {
  config.timeouts = { ...config.timeouts, boot: 20, ip: 20, connect: 20, register: 30, idle: 120, job: 120, finishing: 20, stop: 5, delete: 20 };
  config.backoff = { initialSeconds: 1, maxSeconds: 2, jitter: 0, breakerFailures: 50, breakerWindowMinutes: 10, hostRebootAfter: 3 };
  config.reconcileIntervalSeconds = 2;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const sim = await startSimHost({
    ...opts,
    configure: (config) => {
      fastTimeouts(config);
      opts.configure?.(config);
    },
  });
  let host: EkidenHost | undefined;
  let disposed = false;
  try {
    await opts.beforeHost?.(sim);
    const env = opts.env ? opts.env({ ...sim.env }) : sim.env;
    const loaded = await loadHostConfig(sim.configPath, env);
    await mkdir(sim.stateDir, { recursive: true, mode: 0o700 });
    host = await createEkidenHost({
      config: loaded.config, secrets: loaded.secrets, stateDir: sim.stateDir, env, clock: opts.clock, hostRetrySeconds: opts.hostRetrySeconds,
    });
  } catch (error) {
    await sim.stop();
    throw error;
  }
  const h = host;
  const events: EkidenEvent[] = [];
  const listeners = new Set<() => void>();
  h.bus.subscribe((e) => {
    events.push(e);
    for (const l of [...listeners]) l();
  });
  const of = <T extends EkidenEvent['type']>(type: T, match?: (e: EventOf<T>) => boolean) =>
    events.filter((e): e is EventOf<T> => e.type === type && (!match || match(e as EventOf<T>)));

  const waitForCount = <T extends EkidenEvent['type']>(type: T, count: number, match?: (e: EventOf<T>) => boolean, timeoutMs = 60_000) =>
    new Promise<EventOf<T>[]>((resolve, reject) => {
      const check = () => {
        const found = of(type, match);
        if (found.length >= count) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found.slice(0, count));
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        const recent = events.filter((e) => e.type !== 'log' && e.type !== 'vm.inventory' && e.type !== 'github.call').slice(-40).map((e) => JSON.stringify(e)).join('\n');
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} × ${type}; recent events:\n${recent}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  const harness: Harness = {
    sim,
    host: h,
    events,
    logText: () => h.logs.tail().map((e) => e.text).join('\n'),
    of,
    waitForCount,
    waitFor: async (type, match, timeoutMs) => (await waitForCount(type, 1, match, timeoutMs))[0],
    async shutdown(how = 'drain') {
      await h.shutdown(how);
      return sim.leftovers();
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await h.shutdown('now').catch(() => {});
      await sim.stop();
    },
  };
  if (opts.start !== false) await h.start();
  return harness;
}
