// Optional OTLP log export (telemetry.md §5.4): log events, redacted, to <base>/v1/logs with the
// metrics' resource and headers.
import { afterEach, describe, expect, it } from 'vitest';
import { createCoreLogger } from '../../src-main/core/ekiden-host';
import { LogBuffer } from '../../src-main/core/telemetry/log-buffer';
import { Redactor } from '../../src-main/core/telemetry/redact';
import { systemClock } from '../../src-main/core/util/clock';
import { attributes, anyValue } from '../sim/otlp/view';
import { startRig, type TelemetryRig } from './support/telemetry-rig';

const AUTH = `Basic ${Buffer.from('987654:glc_abcdefghijklmnopqrstuvwxyz0123').toString('base64')}`;
const GUEST_PASSWORD = 'correct-horse-battery-staple';

let rig: TelemetryRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('OTLP logs', () => {
  it('are off by default', async () => {
    rig = await startRig();
    rig.emit({ type: 'log', entry: { seq: 1, ts: Date.now(), level: 'info', scope: 'core', source: 'host', text: 'hello' } });
    await rig.tel.forceFlush();
    expect(rig.tel.health().logs).toBeUndefined();
    expect(rig.rx.requests().filter((r) => r.signal === 'logs')).toEqual([]);
  });

  it('export every log event redacted, with severity, the §5.4 attributes and the shared resource', async () => {
    rig = await startRig({ authorization: AUTH, logs: { scheduledDelayMillis: 50 } }, { prefix: '/otlp', requireAuth: AUTH });
    const redactor = new Redactor();
    redactor.register(GUEST_PASSWORD);
    const logger = createCoreLogger(rig.bus, new LogBuffer({ redact: (t) => redactor.redact(t) }), systemClock);
    logger.log('info', 'Listening for Jobs', { scope: 'runner', source: 'runner', slot: 1, vm: 'ekiden-mini-7-1-z8q2', job: 'build' });
    logger.log('warn', `ssh login with password ${GUEST_PASSWORD} refused`, { scope: 'guest', source: 'guest', slot: 0 });
    logger.log('warn', 'OTLP metrics export failed', { scope: 'otel' });
    await rig.tel.forceFlush();

    const request = await rig.rx.waitFor((r) => r.signal === 'logs' && r.status === 200, 5_000);
    expect(request.path).toBe('/otlp/v1/logs');
    expect(request.headers.authorization).toBe(AUTH);
    const body = request.body as { resourceLogs: { resource: { attributes: never[] }; scopeLogs: { logRecords: never[] }[] }[] };
    const resource = attributes(body.resourceLogs[0].resource.attributes);
    expect(resource).toMatchObject({ 'service.name': 'ekiden', 'service.instance.id': 'mini-7', 'ekiden.github.scope': 'org:acme' });
    const records = rig.rx.logs().flatMap((r) => r.body!.resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords ?? [])));
    const rows = records.map((r) => ({ severity: r.severityNumber, text: r.severityText, body: anyValue(r.body), attributes: attributes(r.attributes) }));
    expect(rows).toEqual([
      {
        severity: 9, text: 'INFO', body: 'Listening for Jobs',
        attributes: { 'ekiden.log.source': 'runner', 'ekiden.log.scope': 'runner', 'ekiden.slot': '1', 'ekiden.vm.name': 'ekiden-mini-7-1-z8q2' },
      },
      {
        severity: 13, text: 'WARN', body: 'ssh login with password [REDACTED] refused',
        attributes: { 'ekiden.log.source': 'guest', 'ekiden.log.scope': 'guest', 'ekiden.slot': '0' },
      },
    ]);
    expect(JSON.stringify(rig.rx.logs().map((r) => r.body))).not.toContain(GUEST_PASSWORD);
    expect(rig.tel.health().logs?.lastSuccessAt).toBeGreaterThan(0);
  });
});
