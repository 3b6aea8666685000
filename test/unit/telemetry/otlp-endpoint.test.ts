import { describe, expect, it } from 'vitest';
import { resolveSignalUrl, telemetryRequested } from '../../../src-main/core/telemetry/otlp-endpoint';

describe('OTLP endpoint rules (telemetry.md §2)', () => {
  it.each([
    ['a configured base gets /v1/metrics', 'http://localhost:4318', {}, 'http://localhost:4318/v1/metrics'],
    ['a trailing slash is not doubled', 'https://otlp-gateway-prod-eu-west-2.grafana.net/otlp/', {}, 'https://otlp-gateway-prod-eu-west-2.grafana.net/otlp/v1/metrics'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/metrics', undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://alloy:4318' }, 'http://alloy:4318/v1/metrics'],
    [
      'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is used as-is and beats the generic one', undefined,
      { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://collector:9999/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://alloy:4318' }, 'http://collector:9999/custom',
    ],
    ['programmatic settings beat env vars', 'http://configured:4318', { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://env:1/x' }, 'http://configured:4318/v1/metrics'],
    ['the default is localhost:4318', undefined, {}, 'http://localhost:4318/v1/metrics'],
  ])('%s', (_what, configured, env, url) => {
    expect(resolveSignalUrl('metrics', configured, env)).toBe(url);
  });

  it('builds the logs URL from the same base', () => {
    expect(resolveSignalUrl('logs', 'https://otlp-gateway-prod-eu-west-2.grafana.net/otlp', {})).toBe('https://otlp-gateway-prod-eu-west-2.grafana.net/otlp/v1/logs');
  });

  it('is on only when an endpoint is configured or named by the environment', () => {
    expect(telemetryRequested(undefined, {})).toBe(false);
    expect(telemetryRequested('http://localhost:4318', {})).toBe(true);
    expect(telemetryRequested(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://alloy:4318' })).toBe(true);
  });
});
