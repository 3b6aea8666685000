import http from 'node:http';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRequest } from '../otlp/codec';
import type { ExportLogsServiceRequest, ExportTraceServiceRequest } from '../otlp/otlp-types';
import { startOtlpReceiver, type OtlpReceiver } from '../otlp/receiver';
import { attributes, metricPoints } from '../otlp/view';

// otlp-decode's own serializers produce real OTLP protobuf for logs and traces.
const otlp = createRequire(import.meta.url)('otlp-decode') as {
  ProtobufTraceSerializer: { serializeRequest(spans: unknown[]): Uint8Array | undefined };
  ProtobufLogsSerializer: { serializeRequest(records: unknown[]): Uint8Array | undefined };
};

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One POST on a fresh connection; rejects when the server drops the socket. */
function post(url: string, body: Uint8Array | string, headers: Record<string, string> = {}, method = 'POST'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const BOUNDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 21600];
const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });
const NOW = '1786975200000000000';

/** An ExportMetricsServiceRequest as the SDK would send it: a counter, an UpDownCounter and a histogram. */
const metricsRequest = () => ({
  resourceMetrics: [
    {
      resource: { attributes: [kv('service.name', 'ekiden'), kv('service.instance.id', 'mac-mini-1')] },
      scopeMetrics: [
        {
          scope: { name: 'ekiden', version: '0.1.0' },
          metrics: [
            {
              name: 'ekiden.jobs', unit: '{job}',
              sum: {
                aggregationTemporality: 2, isMonotonic: true,
                dataPoints: [{ attributes: [kv('cicd.pipeline.result', 'success'), kv('ekiden.slot', '0')], asInt: 3, timeUnixNano: NOW }],
              },
            },
            {
              name: 'ekiden.slot.count', unit: '{slot}',
              sum: {
                aggregationTemporality: 2, isMonotonic: false,
                dataPoints: [{ attributes: [kv('ekiden.slot.state', 'listening')], asInt: 2, timeUnixNano: NOW }],
              },
            },
            {
              name: 'ekiden.job.duration', unit: 's',
              histogram: {
                aggregationTemporality: 2,
                dataPoints: [{
                  attributes: [kv('cicd.pipeline.result', 'success')], count: 2, sum: 95.5, explicitBounds: BOUNDS,
                  bucketCounts: BOUNDS.map((_, i) => (i === 9 ? 2 : 0)).concat([0]), timeUnixNano: NOW,
                }],
              },
            },
          ],
        },
      ],
    },
  ],
});

/** Bounded wait for a condition the receiver reaches by itself. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('OTLP receiver: protobuf metrics', () => {
  it('decodes an ExportMetricsServiceRequest and answers like a collector', async () => {
    receiver = await startOtlpReceiver();
    const reply = await post(receiver.endpoint('metrics'), encodeRequest('metrics', metricsRequest()), {
      ...PROTOBUF, authorization: 'Basic MTIzOnRvaw==',
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/x-protobuf');
    expect(reply.body.length).toBe(0);

    const [request] = receiver.metrics();
    expect(request).toMatchObject({ seq: 1, method: 'POST', path: '/v1/metrics', signal: 'metrics', encoding: 'protobuf', gzip: false, status: 200 });
    expect(request.headers.authorization).toBe('Basic MTIzOnRvaw==');
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    // 64-bit integers come back as strings ({longs: String}); enums stay numeric.
    const jobs = request.body!.resourceMetrics![0].scopeMetrics![0].metrics![0];
    expect(jobs.sum!.dataPoints![0].asInt).toBe('3');
    expect(jobs.sum!.dataPoints![0].timeUnixNano).toBe(NOW);
    expect(jobs.sum!.aggregationTemporality).toBe(2);

    const points = metricPoints(request.body!);
    expect(points.map((p) => [p.metric, p.kind, p.monotonic, p.temporality])).toEqual([
      ['ekiden.jobs', 'sum', true, 2],
      ['ekiden.slot.count', 'sum', false, 2],
      ['ekiden.job.duration', 'histogram', undefined, 2],
    ]);
    expect(points[0]).toMatchObject({
      unit: '{job}', value: 3, scope: 'ekiden',
      resource: { 'service.name': 'ekiden', 'service.instance.id': 'mac-mini-1' },
      attributes: { 'cicd.pipeline.result': 'success', 'ekiden.slot': '0' },
    });
    expect(points[2]).toMatchObject({ unit: 's', count: 2, sum: 95.5, bounds: BOUNDS });
    expect(points[2].bucketCounts![9]).toBe(2);
  });

  it('gunzips a gzip body', async () => {
    receiver = await startOtlpReceiver();
    const raw = encodeRequest('metrics', metricsRequest());
    const reply = await post(receiver.endpoint('metrics'), gzipSync(raw), { ...PROTOBUF, 'content-encoding': 'gzip' });
    expect(reply.status).toBe(200);
    const [request] = receiver.metrics();
    expect(request.gzip).toBe(true);
    expect(request.bytes).toBeLessThan(raw.length);
    expect(metricPoints(request.body!)).toHaveLength(3);
  });

  it('accepts OTLP/JSON and answers {}', async () => {
    receiver = await startOtlpReceiver();
    const json = metricsRequest();
    const reply = await post(receiver.endpoint('metrics'), JSON.stringify(json), { 'content-type': 'application/json; charset=utf-8' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.body.toString()).toBe('{}');
    const [request] = receiver.metrics();
    expect(request.encoding).toBe('json');
    // JSON may carry 64-bit ints as numbers; the view accepts both.
    expect(metricPoints(request.body!)[0].value).toBe(3);
  });
});

describe('OTLP receiver: logs and traces', () => {
  const resource = { attributes: { 'service.name': 'ekiden' } };
  const scope = { name: 'ekiden' };

  it('decodes a trace export made by the OTLP serializer, with hex ids', async () => {
    receiver = await startOtlpReceiver();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const span = {
      name: 'ekiden.cycle', kind: 0,
      spanContext: () => ({ traceId, spanId: 'b7ad6b7169203331', traceFlags: 1 }),
      parentSpanContext: undefined,
      startTime: [1786975200, 0], endTime: [1786975260, 500], attributes: { 'ekiden.slot': '0', 'ekiden.vm.name': 'ekiden-mini-0-x' },
      droppedAttributesCount: 0, events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0,
      status: { code: 1 }, resource, instrumentationScope: scope,
    };
    const body = otlp.ProtobufTraceSerializer.serializeRequest([span])!;
    expect((await post(receiver.endpoint('traces'), body, PROTOBUF)).status).toBe(200);
    const [request] = receiver.traces();
    const decoded = request.body as ExportTraceServiceRequest;
    const got = decoded.resourceSpans![0].scopeSpans![0].spans![0];
    expect(got).toMatchObject({ name: 'ekiden.cycle', traceId, spanId: 'b7ad6b7169203331', kind: 1, status: { code: 1 } });
    expect(got.startTimeUnixNano).toBe('1786975200000000000');
    expect(attributes(got.attributes)).toEqual({ 'ekiden.slot': '0', 'ekiden.vm.name': 'ekiden-mini-0-x' });
    expect(attributes(decoded.resourceSpans![0].resource!.attributes)).toEqual({ 'service.name': 'ekiden' });
  });

  it('decodes a log export made by the OTLP serializer', async () => {
    receiver = await startOtlpReceiver({ prefix: '/otlp' });
    const record = {
      hrTime: [1786975200, 1000], hrTimeObserved: [1786975200, 2000], severityNumber: 9, severityText: 'INFO',
      body: 'Listening for Jobs', attributes: { 'ekiden.slot': '1', 'ekiden.log.source': 'runner' },
      droppedAttributesCount: 0, resource, instrumentationScope: scope,
    };
    const body = otlp.ProtobufLogsSerializer.serializeRequest([record])!;
    expect((await post(receiver.endpoint('logs'), body, PROTOBUF)).status).toBe(200);
    const decoded = receiver.logs()[0].body as ExportLogsServiceRequest;
    const got = decoded.resourceLogs![0].scopeLogs![0].logRecords![0];
    expect(got).toMatchObject({ severityNumber: 9, severityText: 'INFO', body: { stringValue: 'Listening for Jobs' } });
    expect(got.timeUnixNano).toBe('1786975200000001000');
    expect(attributes(got.attributes)).toEqual({ 'ekiden.slot': '1', 'ekiden.log.source': 'runner' });
  });
});

describe('OTLP receiver: routes and auth', () => {
  it('serves only <prefix>/v1/<signal> when a prefix is set', async () => {
    receiver = await startOtlpReceiver({ prefix: '/otlp/' });
    expect(receiver.url).toBe(`http://127.0.0.1:${receiver.port}/otlp`);
    const body = encodeRequest('metrics', metricsRequest());
    expect((await post(`${receiver.url}/v1/metrics`, body, PROTOBUF)).status).toBe(200);
    const bare = await post(`http://127.0.0.1:${receiver.port}/v1/metrics`, body, PROTOBUF);
    expect(bare.status).toBe(404);
    expect(receiver.requests().map((r) => [r.path, r.signal, r.status])).toEqual([
      ['/otlp/v1/metrics', 'metrics', 200],
      ['/v1/metrics', undefined, 404],
    ]);
    expect(receiver.metrics()).toHaveLength(1);
  });

  it('answers 401 without the required Authorization and records the attempt', async () => {
    const auth = `Basic ${Buffer.from('123456:glc_token').toString('base64')}`;
    receiver = await startOtlpReceiver({ requireAuth: auth });
    const body = encodeRequest('metrics', metricsRequest());
    expect((await post(receiver.endpoint('metrics'), body, PROTOBUF)).status).toBe(401);
    expect((await post(receiver.endpoint('metrics'), body, { ...PROTOBUF, authorization: 'Basic d3Jvbmc=' })).status).toBe(401);
    expect((await post(receiver.endpoint('metrics'), body, { ...PROTOBUF, authorization: auth })).status).toBe(200);
    expect(receiver.requests().map((r) => [r.status, r.error])).toEqual([
      [401, 'missing authorization'],
      [401, 'wrong authorization'],
      [200, undefined],
    ]);
    expect(receiver.metrics().map((r) => r.headers.authorization)).toEqual([auth]);
  });

  it.each([
    ['a GET', 'GET', PROTOBUF, '', 405],
    ['a text body', 'POST', { 'content-type': 'text/plain' }, 'x', 415],
    ['garbage protobuf', 'POST', PROTOBUF, '\u00ff\u00ff\u00ff', 400],
    ['garbage JSON', 'POST', { 'content-type': 'application/json' }, '{', 400],
  ])('refuses %s', async (_name, method, headers, body, status) => {
    receiver = await startOtlpReceiver();
    expect((await post(receiver.endpoint('metrics'), body, headers, method)).status).toBe(status);
    expect(receiver.requests()[0].status).toBe(status);
    expect(receiver.metrics()).toEqual([]);
  });
});

describe('OTLP receiver: fault modes', () => {
  it('answers 503 with retry-after: 0 for the next N requests, then recovers', async () => {
    receiver = await startOtlpReceiver();
    receiver.setFault({ kind: 'unavailable' }, 2);
    const body = encodeRequest('metrics', metricsRequest());
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await post(receiver.endpoint('metrics'), body, PROTOBUF));
    expect(replies.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(replies[0].headers['retry-after']).toBe('0');
    expect(receiver.metrics()).toHaveLength(1);
  });

  it('answers 401 while the unauthorized fault is on', async () => {
    receiver = await startOtlpReceiver();
    receiver.setFault({ kind: 'unauthorized' });
    const body = encodeRequest('metrics', metricsRequest());
    expect((await post(receiver.endpoint('metrics'), body, PROTOBUF)).status).toBe(401);
    expect((await post(receiver.endpoint('metrics'), body, PROTOBUF)).status).toBe(401);
    receiver.setFault(null);
    expect((await post(receiver.endpoint('metrics'), body, PROTOBUF)).status).toBe(200);
  });

  it('drops the connection without an answer', async () => {
    receiver = await startOtlpReceiver();
    receiver.setFault({ kind: 'close' }, 1);
    const body = encodeRequest('metrics', metricsRequest());
    await expect(post(receiver.endpoint('metrics'), body, PROTOBUF)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(receiver.requests()[0]).toMatchObject({ status: 'closed', signal: 'metrics' });
    expect((await post(receiver.endpoint('metrics'), body, PROTOBUF)).status).toBe(200);
  });

  it('answers late in slow mode', async () => {
    receiver = await startOtlpReceiver();
    receiver.setFault({ kind: 'slow', delayMs: 150 }, 1);
    const started = performance.now();
    const reply = await post(receiver.endpoint('metrics'), encodeRequest('metrics', metricsRequest()), PROTOBUF);
    expect(reply.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('closes promptly with a slow answer pending', async () => {
    receiver = await startOtlpReceiver();
    receiver.setFault({ kind: 'slow', delayMs: 60_000 });
    const request = post(receiver.endpoint('metrics'), encodeRequest('metrics', metricsRequest()), PROTOBUF).catch((e: Error) => e);
    await until(() => receiver!.inFlight === 1);
    await receiver.close();
    expect(await request).toBeInstanceOf(Error);
    expect(receiver.inFlight).toBe(0);
  });
});

describe('OTLP receiver: waitFor', () => {
  it('resolves with a later matching request, and with an earlier one at once', async () => {
    receiver = await startOtlpReceiver();
    const hasJobs = (r: { body?: unknown }) =>
      !!r.body && metricPoints(r.body as never).some((p) => p.metric === 'ekiden.jobs');
    const waiting = receiver.waitFor((r) => r.status === 200 && hasJobs(r), 5_000);
    await post(receiver.endpoint('metrics'), encodeRequest('metrics', metricsRequest()), PROTOBUF);
    expect((await waiting).seq).toBe(1);
    expect((await receiver.waitFor((r) => r.signal === 'metrics', 5_000)).seq).toBe(1);
  });

  it('rejects after the timeout, listing what it saw', async () => {
    receiver = await startOtlpReceiver();
    await post(receiver.endpoint('logs'), 'x', { 'content-type': 'text/plain' });
    await expect(receiver.waitFor((r) => r.signal === 'metrics', 30)).rejects.toThrow(
      'OTLP receiver: no matching request within 30 ms (requests seen: POST /v1/logs -> 415)',
    );
  });

  it('rejects pending waits on close', async () => {
    receiver = await startOtlpReceiver();
    const waiting = receiver.waitFor(() => false, 60_000);
    await receiver.close();
    await expect(waiting).rejects.toThrow('OTLP receiver: closed');
  });
});
