// The metrics pipeline (telemetry.md §2): OTLP/HTTP protobuf, cumulative, pushed by a periodic reader.
import { AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { WatchedMetricExporter, type SignalMonitor, type WarningGate } from './export-health';

/** The SDK's default export timeout is 30 s; ours is 10 s, and never longer than the interval. */
export const DEFAULT_EXPORT_TIMEOUT_MS = 10_000;

export interface MetricsPipelineOptions {
  /** The full `/v1/metrics` URL. */
  url: string;
  /** Includes `Authorization` when configured. Never logged. */
  headers: Record<string, string>;
  resource: Resource;
  exportIntervalMillis: number;
  exportTimeoutMillis?: number;
  monitor: SignalMonitor;
  gate: WarningGate;
}

/** Interval and timeout, checked the way the reader does, with the reader's message. */
export function exportTiming(intervalMs: number, timeoutMs?: number): { intervalMs: number; timeoutMs: number } {
  if (!(intervalMs > 0)) throw new RangeError('exportIntervalMillis must be greater than 0');
  const timeout = timeoutMs ?? Math.min(DEFAULT_EXPORT_TIMEOUT_MS, intervalMs);
  if (!(timeout > 0)) throw new RangeError('exportTimeoutMillis must be greater than 0');
  if (intervalMs < timeout) throw new RangeError('exportIntervalMillis must be greater than or equal to exportTimeoutMillis');
  return { intervalMs, timeoutMs: timeout };
}

export function createMeterProvider(o: MetricsPipelineOptions): MeterProvider {
  const { intervalMs, timeoutMs } = exportTiming(o.exportIntervalMillis, o.exportTimeoutMillis);
  const exporter = new OTLPMetricExporter({
    url: o.url,
    headers: o.headers,
    timeoutMillis: timeoutMs,
    // Set explicitly: Grafana/Mimir want cumulative; delta needs an experimental Alloy processor.
    temporalityPreference: AggregationTemporalityPreference.CUMULATIVE,
  });
  const reader = new PeriodicExportingMetricReader({
    exporter: new WatchedMetricExporter(exporter, o.monitor, o.gate),
    exportIntervalMillis: intervalMs,
    exportTimeoutMillis: timeoutMs,
  });
  return new MeterProvider({ resource: o.resource, readers: [reader] });
}
