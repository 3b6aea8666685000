// Request context and response framing of the fake GitHub (github.md §9.1): every response carries
// the GitHub headers, `Date` from the server clock and the rate-limit headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerClock } from './clock';
import type { SimConfig } from './types';
import { requestId } from './util';
import { TIME_SCALE_HEADER } from './wire';

export const DOCS_URL = 'https://docs.github.com/rest';
export const RATE_LIMIT_DOCS_URL = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
export const SUPPORTED_API_VERSIONS = ['2022-11-28', '2026-03-10'];

export interface RateView {
  limit: number;
  remaining: number;
  reset: number;
  used: number;
}

export interface ResponderDeps {
  clock: ServerClock;
  config(): SimConfig;
  rateView(ctx: Ctx): RateView;
  record(ctx: Ctx, status: number): void;
}

export type RequestKind = 'rest' | 'registration' | 'runner' | 'control';

export class Ctx {
  readonly method: string;
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly requestId = requestId();
  readonly apiVersion: string;
  /** REST path with the GHES prefix removed. */
  path: string;
  kind: RequestKind = 'rest';
  route: string | null = null;
  authKind = 'none';
  /** Extra response headers collected while handling (permissions, oauth scopes, etag...). */
  headers: Record<string, string> = {};
  /** Rate bucket key once authenticated. */
  rateKey?: string;
  finished = false;
  private parsed: { ok: true; value: unknown } | { ok: false } | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly body: string,
    private readonly deps: ResponderDeps,
  ) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.method = (req.method ?? 'GET').toUpperCase();
    this.rawPath = url.pathname;
    this.path = url.pathname;
    this.query = url.searchParams;
    const v = req.headers['x-github-api-version'];
    this.apiVersion = typeof v === 'string' && v !== '' ? v : '2022-11-28';
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  /** The JSON body; undefined when empty. Throws BadJson when it does not parse. */
  json(): unknown {
    if (this.parsed === undefined) {
      if (this.body.trim() === '') this.parsed = { ok: true, value: undefined };
      else {
        try {
          this.parsed = { ok: true, value: JSON.parse(this.body) };
        } catch {
          this.parsed = { ok: false };
        }
      }
    }
    if (!this.parsed.ok) throw new BadJson();
    return this.parsed.value;
  }

  send(status: number, body?: unknown, extra: Record<string, string> = {}): void {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    this.write(status, text, extra);
  }

  /** GitHub's error envelope: {"message","documentation_url","status":"<code>"}. */
  error(status: number, message: string, extra: { documentation_url?: string; errors?: string[]; headers?: Record<string, string> } = {}): void {
    const body: Record<string, unknown> = {
      message,
      documentation_url: extra.documentation_url ?? DOCS_URL,
      status: String(status),
    };
    if (extra.errors) body.errors = extra.errors;
    this.write(status, JSON.stringify(body), extra.headers ?? {});
  }

  private write(status: number, text: string, extra: Record<string, string>): void {
    if (this.finished) return;
    this.finished = true;
    const cfg = this.deps.config();
    const rate = this.deps.rateView(this);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': this.requestId,
      'x-github-api-version-selected': SUPPORTED_API_VERSIONS.includes(this.apiVersion) ? this.apiVersion : '2022-11-28',
      date: new Date(this.deps.clock.now()).toUTCString(),
      'x-ratelimit-limit': String(rate.limit),
      'x-ratelimit-remaining': String(rate.remaining),
      'x-ratelimit-reset': String(rate.reset),
      'x-ratelimit-used': String(rate.used),
      'x-ratelimit-resource': 'core',
      [TIME_SCALE_HEADER]: String(cfg.timeScale),
      ...this.headers,
      ...extra,
    };
    if (text !== '') headers['content-length'] = String(Buffer.byteLength(text));
    else if (status !== 204 && status !== 304) headers['content-length'] = '0';
    this.res.sendDate = false;
    this.res.writeHead(status, headers);
    this.res.end(status === 204 || status === 304 ? undefined : text);
    this.deps.record(this, status);
  }
}

export class BadJson extends Error {
  constructor() {
    super('Problems parsing JSON');
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
