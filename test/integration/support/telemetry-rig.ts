// A real EventBus wired to real telemetry exporting to the simulator's OTLP receiver.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EventBus } from '../../../src-main/core/events/bus';
import type { EkidenEvent } from '../../../src-main/core/events/types';
import { startTelemetry, type Telemetry, type TelemetryOptions } from '../../../src-main/core/telemetry/telemetry';
import type { Clock } from '../../../src-main/core/util/clock';
import { bindLogger, type LogContext, type LogLevel } from '../../../src-main/core/util/logger';
import { startOtlpReceiver, type OtlpReceiver, type OtlpReceiverOptions } from '../../sim/otlp/receiver';
import { metricPoints, type MetricPoint } from '../../sim/otlp/view';

export interface LoggedLine {
  at: number;
  level: LogLevel;
  text: string;
  ctx: LogContext;
}

export interface TelemetryRig {
  rx: OtlpReceiver;
  bus: EventBus;
  tel: Telemetry;
  dir: string;
  lines: LoggedLine[];
  warnings(): LoggedLine[];
  /** Resolves when `n` warnings were logged; rejects after `timeoutMs`. */
  waitForWarnings(n: number, timeoutMs: number): Promise<LoggedLine[]>;
  emit(...events: EkidenEvent[]): void;
  /** Exports now and returns the points of the newest accepted metrics request. */
  flushPoints(): Promise<MetricPoint[]>;
  close(): Promise<void>;
}

export const clockAt = (start: number): Clock & { t: number } => {
  const c = {
    t: start,
    now: () => c.t,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  };
  return c;
};

export function newestPoints(rx: OtlpReceiver): MetricPoint[] {
  const accepted = rx.metrics().sort((a, b) => a.seq - b.seq);
  const last = accepted[accepted.length - 1];
  return last?.body ? metricPoints(last.body) : [];
}

export async function startRig(
  over: Partial<TelemetryOptions> = {},
  receiver: OtlpReceiverOptions & { down?: boolean } = {},
): Promise<TelemetryRig> {
  const rx = await startOtlpReceiver(receiver);
  if (receiver.down) await rx.close();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-telemetry-'));
  const bus = new EventBus();
  const lines: LoggedLine[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const warnings = () => lines.filter((l) => l.level === 'warn');
  const logger = bindLogger((level, text, ctx) => {
    lines.push({ at: Date.now(), level, text, ctx });
    for (const w of [...waiters]) {
      if (warnings().length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const tel = startTelemetry({
    bus,
    logger,
    endpoint: rx.url,
    exportIntervalMillis: 200,
    exportTimeoutMillis: 100,
    resource: { serviceVersion: '0.1.0', instanceId: 'mini-7', githubScope: 'org:acme' },
    tartHome: dir,
    runnerVersionFile: path.join(dir, 'runner-version.json'),
    ...over,
  });
  return {
    rx,
    bus,
    tel,
    dir,
    lines,
    warnings,
    waitForWarnings(n, timeoutMs) {
      if (warnings().length >= n) return Promise.resolve(warnings());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${warnings().length} of ${n} warnings within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve(warnings());
          },
        });
      });
    },
    emit: (...events) => events.forEach((e) => bus.emit(e)),
    async flushPoints() {
      await tel.forceFlush();
      return newestPoints(rx);
    },
    async close() {
      await tel.shutdown(1000);
      await rx.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
