// The fake GitHub's core: state, clock, faults, config and the REST pipeline
// (route -> slow -> gh.status -> auth -> rate limit -> empty_403 -> handler).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, authorize, isDenial, rateSubject } from './auth';
import { ServerClock, isoSeconds } from './clock';
import { handleControl } from './control';
import { Faults, routeMatches } from './faults';
import { BadJson, Ctx, RATE_LIMIT_DOCS_URL, type RateView, readBody, sleep, SUPPORTED_API_VERSIONS } from './http';
import { JobBoard } from './jobs';
import { RateLimiter, UNAUTHENTICATED_LIMIT } from './rate-limit';
import type { Urls } from './render';
import { Router, scopeFromParams } from './router';
import { appRoutes } from './routes/app';
import { miscRoutes } from './routes/misc';
import { handleRunnerRegistration } from './routes/registration';
import { runnerRoutes } from './routes/runners';
import { RunnerChannel } from './runner-channel';
import { Store } from './state';
import { type RequestLogEntry, type SimConfig, defaultConfig } from './types';
import { Webhooks } from './webhooks';

export interface SimOptions {
  mode?: SimConfig['mode'];
  timeScale?: number;
  seed?: number;
}

const SECRET_KEYS = /secret|token|jit|key/i;

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) && typeof v === 'string' ? '***' : redact(v);
    return out;
  }
  return value;
}

export class Sim {
  store = new Store();
  faults = new Faults();
  clock = new ServerClock(() => this.skewSeconds());
  /** gh.clock_skew with a probability is drawn once per request: the clock does not flicker within one. */
  private requestSkew = 0;
  rate = new RateLimiter(this.clock);
  cfg: SimConfig;
  readonly router = new Router();
  readonly board = new JobBoard(this);
  readonly channel = new RunnerChannel(this);
  readonly webhooks: Webhooks;
  requestLog: RequestLogEntry[] = [];
  private seq = 0;
  /** Server root, e.g. http://127.0.0.1:PORT (set once listening). */
  base = '';
  private ticker: NodeJS.Timeout;

  constructor(private readonly opts: SimOptions) {
    this.faults = new Faults(opts.seed ?? 1);
    this.cfg = this.initialConfig();
    this.webhooks = new Webhooks(this, opts.seed ?? 1);
    this.router.add([...appRoutes, ...runnerRoutes, ...miscRoutes]);
    this.ticker = setInterval(() => this.board.tick(), 50);
    this.ticker.unref();
  }

  private initialConfig(): SimConfig {
    const cfg = defaultConfig();
    if (this.opts.mode) cfg.mode = this.opts.mode;
    if (this.opts.timeScale !== undefined) cfg.timeScale = this.opts.timeScale;
    return cfg;
  }

  config(): SimConfig {
    return this.cfg;
  }

  urls(): Urls {
    return { base: this.base, api: this.cfg.mode === 'ghes' ? `${this.base}/api/v3` : this.base };
  }

  /** Real milliseconds for a nominal duration the runner would wait. */
  scaled(ms: number): number {
    return ms * this.cfg.timeScale;
  }

  /** Re-route jobs and re-evaluate waiting long polls after any state change. */
  kick(): void {
    this.board.route();
    this.channel.wake();
  }

  reset(): void {
    this.store = new Store();
    this.faults.clear();
    this.clock.reset();
    this.rate.reset();
    this.cfg = this.initialConfig();
    this.requestLog = [];
    this.webhooks.reset();
    this.channel.dropWaiters();
  }

  close(): void {
    clearInterval(this.ticker);
    this.channel.dropWaiters();
  }

  readonly deps = {
    clock: this.clock,
    config: () => this.cfg,
    rateView: (ctx: Ctx): RateView => {
      if (ctx.rateKey) {
        const b = this.rate.bucket(ctx.rateKey, '', this.cfg.rateLimit.limit);
        return this.rate.view(b);
      }
      const anon = this.rate.bucket(`anon:${ctx.req.socket.remoteAddress ?? ''}`, 'IP', UNAUTHENTICATED_LIMIT);
      return this.rate.view(anon);
    },
    record: (ctx: Ctx, status: number) => this.record(ctx, status),
  };

  private record(ctx: Ctx, status: number): void {
    if (ctx.kind === 'control') return;
    let body: unknown = null;
    try {
      body = redact(ctx.json()) ?? null;
    } catch {
      body = '<unparsable>';
    }
    this.requestLog.push({
      seq: ++this.seq,
      time: isoSeconds(this.clock.now()),
      method: ctx.method,
      path: ctx.rawPath,
      query: Object.fromEntries(ctx.query.entries()),
      status,
      route: ctx.route,
      authKind: ctx.authKind,
      body,
    });
  }

  private skewSeconds(): number {
    if (this.faults.find('gh.clock_skew')?.probability !== undefined) return this.requestSkew;
    return this.faults.peek('gh.clock_skew')?.params.s ?? 0;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (this.faults.find('gh.clock_skew')?.probability !== undefined && !req.url?.startsWith('/_fake')) {
      this.requestSkew = this.faults.peek('gh.clock_skew')?.params.s ?? 0;
    }
    const ctx = new Ctx(req, res, body, this.deps);
    try {
      const p = ctx.rawPath;
      if (p.startsWith('/_fake/runner/')) {
        ctx.kind = 'runner';
        await this.channel.handle(ctx);
      } else if (p === '/_fake' || p.startsWith('/_fake/')) {
        ctx.kind = 'control';
        await handleControl(this, ctx);
      } else if (p === '/actions/runner-registration' || p === '/api/v3/actions/runner-registration') {
        ctx.kind = 'registration';
        ctx.route = 'runner-registration';
        if (!(await this.routeFaults(ctx))) handleRunnerRegistration(this, ctx);
      } else {
        await this.handleRest(ctx);
      }
    } catch (err) {
      if (err instanceof BadJson) ctx.error(400, 'Problems parsing JSON');
      else ctx.error(500, `Server Error`);
      if (!(err instanceof BadJson)) console.error('[fake-github]', err);
    }
  }

  private async handleRest(ctx: Ctx): Promise<void> {
    if (this.cfg.mode === 'ghes') {
      if (!ctx.rawPath.startsWith('/api/v3/')) return ctx.error(404, 'Not Found');
      ctx.path = ctx.rawPath.slice('/api/v3'.length);
    }
    if (!SUPPORTED_API_VERSIONS.includes(ctx.apiVersion)) {
      return ctx.error(400, `API version ${ctx.apiVersion} is not supported.`);
    }
    const match = this.router.match(ctx.method, ctx.path);
    if (!match) return ctx.error(404, 'Not Found');
    const { route, params } = match;
    ctx.route = route.name;

    if (await this.routeFaults(ctx)) return;

    const header = ctx.header('authorization');
    let cred = null;
    if (!(route.auth === 'optional' && !header)) {
      const auth = authenticate(this, header, route.auth === 'jwt');
      if (isDenial(auth)) return ctx.error(auth.status, auth.message);
      if (route.auth === 'installation-token' && auth.kind !== 'installation') return ctx.error(403, 'Resource not accessible by personal access token');
      cred = auth;
      ctx.authKind = auth.kind;
      ctx.rateKey = rateSubject(auth).key;
    }

    const scope = scopeFromParams(params);
    if (route.need && scope && cred) {
      const denial = authorize(this, cred, scope, route.need, ctx.headers);
      if (denial) return ctx.error(denial.status, denial.message);
    }

    if (cred && route.counts !== false && this.rateLimited(ctx, cred)) return;

    if (this.faults.peek('gh.empty_403', (p) => routeMatches(p.route, route.name, ctx.path))) {
      return ctx.send(403, '');
    }
    await route.handle({ sim: this, ctx, params, cred, scope: scope ?? { kind: 'org', org: '' } });
  }

  /** gh.slow, then gh.status (answered before acting, even before auth). True when answered. */
  private async routeFaults(ctx: Ctx): Promise<boolean> {
    const slow = this.faults.peek('gh.slow', (p) => routeMatches(p.route, ctx.route, ctx.path));
    if (slow) await sleep(slow.params.ms);
    const status = this.faults.take('gh.status', (p) => routeMatches(p.route, ctx.route, ctx.path));
    if (!status) return false;
    ctx.error(status.params.status, statusMessage(status.params.status));
    return true;
  }

  /** Primary limit, then the secondary-limit fault; counts the request. True when answered. */
  private rateLimited(ctx: Ctx, cred: NonNullable<Parameters<typeof rateSubject>[0]>): boolean {
    const { key, subject } = rateSubject(cred);
    const rl = this.cfg.rateLimit;
    const bucket = this.rate.bucket(key, subject, rl.limit);
    if (rl.enabled && bucket.used >= bucket.limit) {
      ctx.error(rl.status, `API rate limit exceeded for ${subject}.`, { documentation_url: RATE_LIMIT_DOCS_URL });
      return true;
    }
    bucket.used += 1;
    const secondary = this.faults.peek('gh.rate_limit_secondary', (p) => !p.route || routeMatches(p.route, ctx.route, ctx.path));
    if (secondary) {
      const f = secondary as typeof secondary & { until?: number };
      if (f.remaining !== undefined) this.faults.consume(f);
      else if (f.probability === undefined) {
        // Without `times` the limit lasts retryAfter seconds (server clock) from its first answer.
        f.until ??= this.clock.now() + f.params.retryAfter * 1000;
        if (this.clock.now() >= f.until) {
          this.faults.remove(f);
          return false;
        }
      }
      bucket.used -= 1;
      ctx.error(rl.status, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', {
        documentation_url: `${RATE_LIMIT_DOCS_URL}#about-secondary-rate-limits`,
        headers: { 'retry-after': String(f.params.retryAfter) },
      });
      return true;
    }
    return false;
  }
}

export function statusMessage(status: number): string {
  const known: Record<number, string> = {
    400: 'Bad Request',
    401: 'Bad credentials',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    422: 'Validation Failed',
    429: 'Too Many Requests',
    500: 'Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return known[status] ?? 'Error';
}
