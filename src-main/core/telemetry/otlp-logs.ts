// Optional OTLP log export (telemetry.md §5.4): every log event, redacted, batched to `/v1/logs`.
// Off by default; the ring buffer stays the UI's source either way.
import { SeverityNumber, type LogAttributes } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import type { Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { EventBus } from '../events/bus';
import type { LogEntry } from '../events/types';
import type { LogLevel } from '../util/logger';
import { WatchedLogExporter, type SignalMonitor } from './export-health';

const SEVERITY: Record<LogLevel, SeverityNumber> = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

/** Telemetry's own warnings stay local: exporting them could feed a failing exporter its own errors. */
const LOCAL_SCOPES = new Set(['otel']);

export interface LogExportOptions {
  bus: EventBus;
  /** The full `/v1/logs` URL. */
  url: string;
  headers: Record<string, string>;
  resource: Resource;
  redact: (text: string) => string;
  monitor: SignalMonitor;
  /** Delay between batches; default 1 s. */
  scheduledDelayMillis?: number;
  exportTimeoutMillis: number;
}

export function logRecordAttributes(entry: LogEntry): LogAttributes {
  const attributes: LogAttributes = { 'ekiden.log.source': entry.source, 'ekiden.log.scope': entry.scope };
  if (entry.slot !== undefined) attributes['ekiden.slot'] = String(entry.slot);
  if (entry.vm) attributes['ekiden.vm.name'] = entry.vm;
  return attributes;
}

export interface LogExport {
  readonly provider: LoggerProvider;
  /** Stops following the bus; the provider is shut down by the caller. */
  stop(): void;
}

export function startLogExport(o: LogExportOptions): LogExport {
  const exporter = new OTLPLogExporter({ url: o.url, headers: o.headers, timeoutMillis: o.exportTimeoutMillis });
  const provider = new LoggerProvider({
    resource: o.resource,
    processors: [
      new BatchLogRecordProcessor({
        exporter: new WatchedLogExporter(exporter, o.monitor),
        scheduledDelayMillis: o.scheduledDelayMillis ?? 1000,
        exportTimeoutMillis: o.exportTimeoutMillis,
      }),
    ],
  });
  const logger = provider.getLogger('ekiden');
  const stop = o.bus.on('log', ({ entry }) => {
    if (LOCAL_SCOPES.has(entry.scope)) return;
    logger.emit({
      timestamp: entry.ts,
      severityNumber: SEVERITY[entry.level],
      severityText: entry.level.toUpperCase(),
      body: o.redact(entry.text),
      attributes: logRecordAttributes(entry),
    });
  });
  return { provider, stop };
}
