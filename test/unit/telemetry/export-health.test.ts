import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { installDiagBridge } from '../../../src-main/core/telemetry/diag-bridge';
import { SignalMonitor, WarningGate } from '../../../src-main/core/telemetry/export-health';
import { systemClock } from '../../../src-main/core/util/clock';

let uninstall: (() => void) | undefined;
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
});

describe('one warning per export interval', () => {
  it('forwards the first warning of an interval and counts the rest', () => {
    const seen: string[] = [];
    const gate = new WarningGate((t) => seen.push(t));
    gate.beginInterval();
    gate.warn('a');
    gate.warn('b');
    gate.beginInterval();
    gate.warn('c');
    expect(seen).toEqual(['a', 'c']);
    expect(gate.suppressed).toBe(1);
  });

  it('bridges OTel diag warnings and errors, not info or debug', () => {
    const seen: string[] = [];
    const gate = new WarningGate((t) => seen.push(t));
    uninstall = installDiagBridge(gate);
    diag.info('just info');
    diag.debug('debug');
    diag.error('PeriodicExportingMetricReader: metrics export failed', new Error('boom'));
    diag.warn('second in the same interval');
    gate.beginInterval();
    diag.warn('next interval');
    expect(seen).toEqual(['otel: PeriodicExportingMetricReader: metrics export failed boom', 'otel: next interval']);
  });

  it('keeps the last success, the last error and says when it works again', () => {
    let t = 1_000;
    const clock = { ...systemClock, now: () => t };
    const warnings: string[] = [];
    const infos: string[] = [];
    const gate = new WarningGate((t) => warnings.push(t));
    const monitor = new SignalMonitor('OTLP metrics export to http://x/v1/metrics', gate, clock, (t) => infos.push(t));
    monitor.settle({ code: ExportResultCode.SUCCESS });
    gate.beginInterval();
    t = 2_000;
    monitor.settle({ code: ExportResultCode.FAILED, error: Object.assign(new Error('Service Unavailable'), { code: 503 }) });
    expect(monitor.health).toMatchObject({ exports: 2, failures: 1, lastSuccessAt: 1_000, lastError: { message: 'Service Unavailable (HTTP 503)' } });
    expect(warnings).toEqual(['OTLP metrics export to http://x/v1/metrics failed: Service Unavailable (HTTP 503)']);
    monitor.settle({ code: ExportResultCode.SUCCESS });
    expect(infos).toEqual(['OTLP metrics export to http://x/v1/metrics works again']);
  });
});
