// Where OTLP/HTTP exports go (telemetry.md §2): programmatic base beats the environment; a base gets
// `/v1/<signal>` appended, the signal-specific variable is used as-is.

export type OtlpSignalPath = 'metrics' | 'logs';

export const DEFAULT_OTLP_BASE = 'http://localhost:4318';

const SIGNAL_ENV: Record<OtlpSignalPath, string> = {
  metrics: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  logs: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
};

/** `base` + `/v1/<signal>`, with exactly one slash between them. */
export function signalUrl(base: string, signal: OtlpSignalPath): string {
  return `${base.replace(/\/+$/, '')}/v1/${signal}`;
}

/**
 * The export URL of one signal: the configured base, else `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT`
 * as-is, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/<signal>`, else the localhost default.
 */
export function resolveSignalUrl(signal: OtlpSignalPath, configured: string | undefined, env: NodeJS.ProcessEnv = {}): string {
  if (configured) return signalUrl(configured, signal);
  const specific = env[SIGNAL_ENV[signal]]?.trim();
  if (specific) return specific;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return signalUrl(base || DEFAULT_OTLP_BASE, signal);
}

/** Telemetry is on when an endpoint is configured or the environment names one. */
export function telemetryRequested(configured: string | undefined, env: NodeJS.ProcessEnv = {}): boolean {
  return Boolean(configured || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim());
}
