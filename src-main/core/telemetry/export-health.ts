// Export outcomes without blocking anything: each exporter is wrapped so its results feed a health
// record ("telemetry" row: last success, last error), and failures become at most one warning per
// export interval (telemetry.md §2).
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AggregationOption, AggregationTemporality, InstrumentType, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Clock } from '../util/clock';

export interface SignalHealth {
  /** Epoch ms of the last accepted export. */
  lastSuccessAt?: number;
  lastError?: { at: number; message: string };
  exports: number;
  failures: number;
}

export interface TelemetryHealth {
  /** Where metrics go (no credentials in it). */
  endpoint: string;
  metrics: SignalHealth;
  logs?: SignalHealth;
  /** Warnings dropped because one was already logged in that interval. */
  suppressedWarnings: number;
}

/**
 * At most one warning per export interval. The metrics exporter opens each interval when the reader
 * hands it a batch; everything logged until the next batch (exporter errors, the reader's own
 * error, diag messages) shares that interval's single slot.
 */
export class WarningGate {
  private spent = false;
  suppressed = 0;

  constructor(private readonly sink: (text: string) => void) {}

  beginInterval(): void {
    this.spent = false;
  }

  warn(text: string): void {
    if (this.spent) {
      this.suppressed++;
      return;
    }
    this.spent = true;
    this.sink(text);
  }
}

export function describeExportError(error: unknown): string {
  if (!error) return 'unknown error';
  const e = error as { message?: string; code?: number | string; data?: string };
  // The exporter drops the status of retryable answers (429, 502, 503, 504) once its retries run out.
  if (e.message === 'Export failed with retryable status') return 'the endpoint kept answering 429/502/503/504 (retried until the export timeout)';
  const code = typeof e.code === 'number' ? ` (HTTP ${e.code})` : e.code ? ` (${e.code})` : '';
  return `${e.message || String(error)}${code}`;
}

/** Records one signal's export results and reports failures through the gate. */
export class SignalMonitor {
  readonly health: SignalHealth = { exports: 0, failures: 0 };

  constructor(
    private readonly what: string,
    private readonly gate: WarningGate,
    private readonly clock: Clock,
    private readonly onRecovered?: (text: string) => void,
  ) {}

  settle(result: ExportResult): void {
    const now = this.clock.now();
    this.health.exports++;
    if (result.code === ExportResultCode.SUCCESS) {
      const wasFailing = this.health.lastError && (this.health.lastSuccessAt ?? 0) < this.health.lastError.at;
      this.health.lastSuccessAt = now;
      if (wasFailing) this.onRecovered?.(`${this.what} works again`);
      return;
    }
    this.health.failures++;
    const message = describeExportError(result.error);
    this.health.lastError = { at: now, message };
    this.gate.warn(`${this.what} failed: ${message}`);
  }
}

/** The OTLP metric exporter with its results observed; each export opens a new warning interval. */
export class WatchedMetricExporter implements PushMetricExporter {
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly monitor: SignalMonitor,
    private readonly gate: WarningGate,
  ) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.gate.beginInterval();
    this.inner.export(metrics, (result) => {
      this.monitor.settle(result);
      resultCallback(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality!(instrumentType);
  }

  selectAggregation(instrumentType: InstrumentType): AggregationOption {
    return this.inner.selectAggregation!(instrumentType);
  }
}

export class WatchedLogExporter implements LogRecordExporter {
  constructor(
    private readonly inner: LogRecordExporter,
    private readonly monitor: SignalMonitor,
  ) {}

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(logs, (result) => {
      this.monitor.settle(result);
      resultCallback(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
