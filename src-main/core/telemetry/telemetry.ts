// Ekiden's telemetry: the core's events -> OTLP metrics (and optionally logs). It never blocks the
// loop: instruments record synchronously, exports run on the reader's timer, failures become one
// warning per interval and a health record.
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { EventBus } from '../events/bus';
import { systemClock, type Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import { installDiagBridge } from './diag-bridge';
import { recordEventMetrics } from './event-metrics';
import { SignalMonitor, WarningGate, type TelemetryHealth } from './export-health';
import { createMeterProvider, exportTiming } from './metrics';
import { resolveSignalUrl } from './otlp-endpoint';
import { startLogExport, type LogExport } from './otlp-logs';
import { ekidenResource, type ResourceInfo } from './resource';
import { RunnerVersionAgeTracker } from './runner-version-age';

export const SHUTDOWN_CAP_MS = 5_000;

export interface TelemetryOptions {
  bus: EventBus;
  /** Warnings go to scope `otel`. */
  logger: Logger;
  /** Applied to log bodies before OTLP export (entries from the ring buffer are redacted already). */
  redact?: (text: string) => string;
  clock?: Clock;
  /** Configured OTLP base URL (`/v1/metrics` is appended); else the OTEL_* environment decides. */
  endpoint?: string;
  env?: NodeJS.ProcessEnv;
  /** The whole Authorization header value, e.g. `Basic <base64(instanceId:token)>`. */
  authorization?: string;
  exportIntervalMillis: number;
  /** Default: 10 s, capped at the interval. Must not exceed the interval. */
  exportTimeoutMillis?: number;
  resource: ResourceInfo;
  /** TART_HOME, for system.filesystem.usage. */
  tartHome?: string;
  /** Where the runner-version "first seen newer" record persists. */
  runnerVersionFile?: string;
  /** OTLP log export (§5.4): off unless true or an options object. */
  logs?: boolean | { scheduledDelayMillis?: number };
}

export interface Telemetry {
  /** The metrics URL, without credentials. */
  readonly metricsUrl: string;
  readonly meterProvider: MeterProvider;
  health(): TelemetryHealth;
  /** Exports now (tests, "send now"); never needed on the loop's path. */
  forceFlush(): Promise<void>;
  /** Final export, bounded by `capMs` (default 5 s); resolves even when the endpoint hangs. */
  shutdown(capMs?: number): Promise<void>;
}

/** A URL as shown to people: no user info, no query. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

export function startTelemetry(o: TelemetryOptions): Telemetry {
  const clock = o.clock ?? systemClock;
  const env = o.env ?? {};
  const timing = exportTiming(o.exportIntervalMillis, o.exportTimeoutMillis);
  const log = o.logger.child({ scope: 'otel', source: 'host' });
  const redact = o.redact ?? ((t: string) => t);
  const gate = new WarningGate((text) => log.log('warn', redact(text)));
  const recovered = (text: string) => log.log('info', text);

  const metricsUrl = resolveSignalUrl('metrics', o.endpoint, env);
  const headers: Record<string, string> = o.authorization ? { Authorization: o.authorization } : {};
  const resource = ekidenResource(o.resource);
  const metricsMonitor = new SignalMonitor(`OTLP metrics export to ${displayUrl(metricsUrl)}`, gate, clock, recovered);

  const uninstallDiag = installDiagBridge(gate);
  let meterProvider: MeterProvider;
  try {
    meterProvider = createMeterProvider({
      url: metricsUrl,
      headers,
      resource,
      exportIntervalMillis: timing.intervalMs,
      exportTimeoutMillis: timing.timeoutMs,
      monitor: metricsMonitor,
      gate,
    });
  } catch (error) {
    uninstallDiag();
    throw error;
  }
  const runnerVersion = new RunnerVersionAgeTracker(clock, o.runnerVersionFile);
  const stopMetrics = recordEventMetrics({
    meter: meterProvider.getMeter('ekiden'),
    bus: o.bus,
    tartHome: o.tartHome,
    runnerVersion,
    onCollectError: (what, error) => gate.warn(`cannot read ${what}: ${(error as Error).message}`),
  });

  let logExport: LogExport | undefined;
  let logsMonitor: SignalMonitor | undefined;
  if (o.logs) {
    const logsUrl = resolveSignalUrl('logs', o.endpoint, env);
    logsMonitor = new SignalMonitor(`OTLP logs export to ${displayUrl(logsUrl)}`, gate, clock, recovered);
    logExport = startLogExport({
      bus: o.bus,
      url: logsUrl,
      headers,
      resource,
      redact,
      monitor: logsMonitor,
      scheduledDelayMillis: typeof o.logs === 'object' ? o.logs.scheduledDelayMillis : undefined,
      exportTimeoutMillis: timing.timeoutMs,
    });
  }

  let stopped: Promise<void> | undefined;
  return {
    metricsUrl: displayUrl(metricsUrl),
    meterProvider,
    health: () => ({
      endpoint: displayUrl(metricsUrl),
      metrics: { ...metricsMonitor.health },
      logs: logsMonitor && { ...logsMonitor.health },
      suppressedWarnings: gate.suppressed,
    }),
    async forceFlush() {
      await Promise.all([meterProvider.forceFlush(), logExport?.provider.forceFlush()]);
    },
    shutdown(capMs = SHUTDOWN_CAP_MS) {
      stopped ??= (async () => {
        stopMetrics();
        logExport?.stop();
        await bounded(
          Promise.all([meterProvider.shutdown(), logExport?.provider.shutdown(), runnerVersion.flushed()]),
          capMs,
        );
        uninstallDiag();
      })();
      return stopped;
    },
  };
}
