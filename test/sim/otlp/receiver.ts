// The simulator's OTLP/HTTP receiver (telemetry.md §7): what a collector or Grafana Cloud would be,
// recording every request so tests can assert on headers and decoded payloads.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { decodeRequest, type OtlpSignal } from './codec';
import type { OtlpBodies } from './otlp-types';

export type { OtlpSignal } from './codec';

const gunzip = promisify(gunzipCb);
const SIGNALS: readonly OtlpSignal[] = ['metrics', 'logs', 'traces'];
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Ways the receiver can misbehave, as real backends do. */
export type OtlpFault =
  /** 503 with `retry-after: 0`. */
  | { kind: 'unavailable' }
  /** 401 whatever the credentials. */
  | { kind: 'unauthorized' }
  /** Answers normally after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Reads the request, then destroys the socket without an answer. */
  | { kind: 'close' };

export interface OtlpRequest<S extends OtlpSignal | undefined = OtlpSignal | undefined> {
  /** Arrival order, from 1. */
  seq: number;
  receivedAt: number;
  method: string;
  path: string;
  /** Undefined for a path the receiver does not serve. */
  signal: S;
  /** Lower-cased names, as Node gives them. */
  headers: http.IncomingHttpHeaders;
  encoding?: 'protobuf' | 'json';
  gzip: boolean;
  /** Body size as sent (before gunzip). */
  bytes: number;
  /** What the receiver answered; 'closed' when it dropped the connection. */
  status: number | 'closed';
  /** The decoded export request, when decoding succeeded. */
  body?: S extends OtlpSignal ? OtlpBodies[S] : unknown;
  /** Why the request was refused (bad content type, undecodable body, ...). */
  error?: string;
}

export interface OtlpReceiverOptions {
  /** When set, any request whose Authorization header differs gets 401. */
  requireAuth?: string;
  /** A path prefix such as `/otlp` (Grafana Cloud style): only `<prefix>/v1/<signal>` is served. */
  prefix?: string;
}

export interface OtlpReceiver {
  /** The base URL to configure an exporter with: `http://127.0.0.1:<port><prefix>`. */
  readonly url: string;
  readonly port: number;
  /** `<url>/v1/<signal>` */
  endpoint(signal: OtlpSignal): string;
  /** Requests arrived but not yet answered (e.g. held by the slow fault). */
  readonly inFlight: number;
  /** Every request, in the order they were answered (seq gives arrival order), whatever the answer. */
  requests(): OtlpRequest[];
  /** Accepted (200) metric exports, decoded. */
  metrics(): OtlpRequest<'metrics'>[];
  logs(): OtlpRequest<'logs'>[];
  traces(): OtlpRequest<'traces'>[];
  /** Misbehave for the next `times` requests (default: until cleared with null). */
  setFault(fault: OtlpFault | null, times?: number): void;
  /** Resolves with the first request, past or future, that matches; rejects after `timeoutMs`. */
  waitFor(predicate: (request: OtlpRequest) => boolean, timeoutMs: number): Promise<OtlpRequest>;
  /** Forgets recorded requests (seq keeps counting). */
  clear(): void;
  close(): Promise<void>;
}

function encodingOf(contentType: string | undefined): 'protobuf' | 'json' | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const prefix = (options.prefix ?? '').replace(/\/+$/, '');
  if (prefix && !prefix.startsWith('/')) throw new Error(`prefix must start with "/": ${options.prefix}`);
  const routes = new Map<string, OtlpSignal>(SIGNALS.map((s) => [`${prefix}/v1/${s}`, s]));

  let records: OtlpRequest[] = [];
  let seq = 0;
  let fault: OtlpFault | null = null;
  let faultTimes = Infinity;
  interface Waiter {
    predicate: (r: OtlpRequest) => boolean;
    resolve: (r: OtlpRequest) => void;
    reject: (e: Error) => void;
  }
  const waiters = new Set<Waiter>();
  const sockets = new Set<Socket>();
  /** Pending slow answers: timer -> wake-up, so close() never leaves one hanging. */
  const sleepers = new Map<NodeJS.Timeout, () => void>();
  let closed = false;
  let inFlight = 0;

  const record = (r: OtlpRequest): void => {
    records.push(r);
    for (const waiter of waiters) {
      if (waiter.predicate(r)) {
        waiters.delete(waiter);
        waiter.resolve(r);
      }
    }
  };

  const takeFault = (): OtlpFault | null => {
    if (!fault) return null;
    const current = fault;
    if (--faultTimes <= 0) {
      fault = null;
      faultTimes = Infinity;
    }
    return current;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, ms);
      sleepers.set(timer, resolve);
    });

  const reply = (res: http.ServerResponse, status: number, headers: http.OutgoingHttpHeaders, body = ''): void => {
    if (res.destroyed) return;
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const signal = routes.get(path);
    const contentEncoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
    const entry: OtlpRequest = {
      seq: ++seq,
      receivedAt: Date.now(),
      method: req.method ?? '',
      path,
      signal,
      headers: req.headers,
      encoding: encodingOf(req.headers['content-type']),
      gzip: contentEncoding === 'gzip',
      bytes: 0,
      status: 0,
    };
    const finish = (status: number | 'closed', error?: string): void => {
      entry.status = status;
      if (error) entry.error = error;
      record(entry);
    };
    const fail = (status: number, error: string): void => {
      reply(res, status, { 'content-type': 'application/json' }, JSON.stringify({ code: status, message: error }));
      finish(status, error);
    };

    const raw = await readBody(req);
    if (raw === undefined) return fail(413, 'body too large');
    entry.bytes = raw.length;
    if (!signal) return fail(404, `no OTLP route at ${path}`);
    if (req.method !== 'POST') return fail(405, 'OTLP exports use POST');
    if (options.requireAuth !== undefined && req.headers.authorization !== options.requireAuth) {
      return fail(401, req.headers.authorization ? 'wrong authorization' : 'missing authorization');
    }

    const active = takeFault();
    if (active?.kind === 'close') {
      req.socket.destroy();
      return finish('closed', 'fault: closed socket');
    }
    if (active?.kind === 'unavailable') {
      reply(res, 503, { 'retry-after': '0', 'content-type': 'application/json' }, '{"code":14,"message":"unavailable"}');
      return finish(503, 'fault: unavailable');
    }
    if (active?.kind === 'unauthorized') return fail(401, 'fault: unauthorized');
    if (active?.kind === 'slow') await sleep(active.delayMs);
    if (closed) return;

    if (!entry.encoding) return fail(415, `unsupported content-type ${req.headers['content-type'] ?? '(none)'}`);
    if (contentEncoding && contentEncoding !== 'gzip' && contentEncoding !== 'identity') {
      return fail(415, `unsupported content-encoding ${contentEncoding}`);
    }
    try {
      const body = entry.gzip ? await gunzip(raw) : raw;
      entry.body =
        entry.encoding === 'protobuf' ? decodeRequest(signal, body) : (JSON.parse(body.toString('utf8')) as unknown);
    } catch (e) {
      return fail(400, `cannot decode the ${entry.encoding} body: ${(e as Error).message}`);
    }
    if (entry.encoding === 'json') reply(res, 200, { 'content-type': 'application/json' }, '{}');
    else reply(res, 200, { 'content-type': 'application/x-protobuf' });
    finish(200);
  }

  const server = http.createServer((req, res) => {
    inFlight++;
    handle(req, res)
      .catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) reply(res, 500, { 'content-type': 'text/plain' }, String(e));
      })
      .finally(() => inFlight--);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}${prefix}`;

  const accepted = <S extends OtlpSignal>(signal: S) =>
    records.filter((r): r is OtlpRequest<S> => r.signal === signal && r.status === 200);

  return {
    url,
    port,
    get inFlight() {
      return inFlight;
    },
    endpoint: (signal) => `${url}/v1/${signal}`,
    requests: () => [...records],
    metrics: () => accepted('metrics'),
    logs: () => accepted('logs'),
    traces: () => accepted('traces'),
    setFault(next, times) {
      fault = next;
      faultTimes = next && times !== undefined ? times : Infinity;
    },
    waitFor(predicate, timeoutMs) {
      const found = records.find(predicate);
      if (found) return Promise.resolve(found);
      if (closed) return Promise.reject(new Error('OTLP receiver: closed'));
      return new Promise<OtlpRequest>((resolve, reject) => {
        const waiter: Waiter = {
          predicate,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = records.map((r) => `${r.method} ${r.path} -> ${r.status}`).join(', ') || 'none';
          reject(new Error(`OTLP receiver: no matching request within ${timeoutMs} ms (requests seen: ${seen})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    clear() {
      records = [];
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const [timer, wake] of sleepers) {
        clearTimeout(timer);
        wake();
      }
      sleepers.clear();
      for (const waiter of waiters) waiter.reject(new Error('OTLP receiver: closed'));
      waiters.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await done;
    },
  };
}
