// An unreachable or failing OTLP endpoint never blocks or crashes the loop (telemetry.md §2, §7):
// emitting continues, exactly one warning is logged per failing export interval, health says why.
import { afterEach, describe, expect, it } from 'vitest';
import type { EkidenEvent } from '../../src-main/core/events/types';
import { startRig, type TelemetryRig } from './support/telemetry-rig';

const INTERVAL = 200;
const job = (i: number): EkidenEvent => ({
  type: 'job.completed', at: Date.now(), slot: i % 2, vm: `ekiden-mini-7-${i % 2}-x${i}`, runnerName: `ekiden-mini-7-${i % 2}-x${i}`,
  job: `test ${i}`, runnerResult: 'Succeeded', result: 'success', seconds: 10,
});

let rig: TelemetryRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Each failed export interval produced exactly one warning; other diagnostics of it were suppressed. */
function expectOneWarningPerFailedInterval(r: TelemetryRig, startedAt: number): void {
  const health = r.tel.health();
  const warnings = r.warnings();
  expect(warnings.length).toBe(health.metrics.failures);
  expect(health.suppressedWarnings).toBeGreaterThan(0);
  for (const w of warnings) {
    expect(w.ctx.scope).toBe('otel');
    expect(w.text).toMatch(/^OTLP metrics export to http:\/\/127\.0\.0\.1:\d+\/v1\/metrics failed: /);
  }
  // never more than one per interval of wall time
  const elapsed = Date.now() - startedAt;
  expect(warnings.length).toBeLessThanOrEqual(Math.floor(elapsed / INTERVAL) + 1);
  expect(health.metrics.lastError?.message).toBeTruthy();
}

describe('telemetry with a failing endpoint', () => {
  it('keeps emitting while the receiver answers 503, one warning per interval, and catches up afterwards', async () => {
    rig = await startRig();
    const started = Date.now();
    rig.rx.setFault({ kind: 'unavailable' });
    let emitted = 0;
    const emitSome = (n: number) => {
      for (let i = 0; i < n; i++) rig!.emit(job(emitted++));
    };
    emitSome(10);
    await rig.waitForWarnings(2, 5_000);
    emitSome(10);
    await rig.waitForWarnings(4, 5_000);
    expect(rig.rx.requests().filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(4);
    expectOneWarningPerFailedInterval(rig, started);
    expect(rig.tel.health().metrics.lastSuccessAt).toBeUndefined();

    // the endpoint recovers: the cumulative counters include everything emitted during the outage
    rig.rx.setFault(null);
    await rig.rx.waitFor((r) => r.signal === 'metrics' && r.status === 200, 5_000);
    emitSome(5);
    const points = await rig.flushPoints();
    const jobs = points.filter((p) => p.metric === 'ekiden.jobs').reduce((n, p) => n + (p.value ?? 0), 0);
    expect(jobs).toBe(emitted);
    const health = rig.tel.health();
    expect(health.metrics.lastSuccessAt).toBeGreaterThan(health.metrics.lastError!.at - 1);
    expect(rig.lines.some((l) => l.level === 'info' && /works again/.test(l.text))).toBe(true);
  });

  it('keeps emitting while nothing listens, one warning per interval', async () => {
    rig = await startRig({}, { down: true });
    const started = Date.now();
    const before = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) rig.emit(job(i));
    // recording is synchronous and cheap: 1000 events well under the export interval
    expect(Number(process.hrtime.bigint() - before) / 1e6).toBeLessThan(INTERVAL);
    await rig.waitForWarnings(3, 5_000);
    for (let i = 0; i < 10; i++) rig.emit(job(i));
    await rig.waitForWarnings(4, 5_000);
    expectOneWarningPerFailedInterval(rig, started);
    expect(rig.tel.health().metrics.exports).toBe(rig.tel.health().metrics.failures);
  });

  it('caps shutdown when the endpoint hangs', async () => {
    rig = await startRig({ exportIntervalMillis: 1_000, exportTimeoutMillis: 1_000 });
    rig.rx.setFault({ kind: 'slow', delayMs: 20_000 });
    rig.emit(job(1));
    const flushing = rig.tel.forceFlush();
    // bounded wait until the export hangs at the receiver
    for (const deadline = Date.now() + 2_000; rig.rx.inFlight === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 5));
    expect(rig.rx.inFlight).toBe(1);
    const started = Date.now();
    await rig.tel.shutdown(300);
    expect(Date.now() - started).toBeLessThan(900);
    await rig.rx.close();
    await flushing;
  });
});
