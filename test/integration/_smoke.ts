import { startOtlpReceiver } from '../sim/otlp/receiver';
import { metricPoints } from '../sim/otlp/view';
import { EventBus } from '../../src-main/core/events/bus';
import { startTelemetry } from '../../src-main/core/telemetry/telemetry';
import { bindLogger } from '../../src-main/core/util/logger';

const rx = await startOtlpReceiver({ prefix: '/otlp' });
const bus = new EventBus();
const logger = bindLogger((l, t, c) => console.log('LOG', l, c.scope, t));
const tel = startTelemetry({ bus, logger, endpoint: rx.url, authorization: 'Basic abc', exportIntervalMillis: 200, exportTimeoutMillis: 100,
  resource: { serviceVersion: '0.1.0', instanceId: 'mini1', githubScope: 'org:acme', tartVersion: Promise.resolve('2.22.0') }, tartHome: '/tmp', logs: { scheduledDelayMillis: 100 } });
bus.emit({ type: 'host.state', at: 0, paused: false, draining: false, slots: 2 });
bus.emit({ type: 'job.completed', at: 0, slot: 0, vm: 'v', runnerName: 'r', job: 'j', runnerResult: 'Succeeded', result: 'success', seconds: 3 });
bus.emit({ type: 'log', entry: { seq: 1, ts: Date.now(), level: 'info', scope: 'core', source: 'host', text: 'hello' } });
await tel.forceFlush();
const r = await rx.waitFor((x) => x.signal === 'metrics' && x.status === 200, 2000);
console.log(r.headers.authorization, r.headers['content-type']);
for (const p of metricPoints(r.body as any)) console.log(p.metric, p.unit, p.kind, p.monotonic, p.temporality, JSON.stringify(p.attributes), p.value ?? p.count, p.bounds?.length);
console.log(JSON.stringify(metricPoints(r.body as any)[0].resource));
const l = await rx.waitFor((x) => x.signal === 'logs', 2000);
console.log(l.status, JSON.stringify(l.body).slice(0, 800));
rx.setFault({ kind: 'unavailable' });
await new Promise((r) => setTimeout(r, 1000));
console.log(tel.health());
await tel.shutdown();
await rx.close();
