/// <reference path="./bottleneck-light.d.ts" />
import { randomUUID } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';
import { systemClock, type Clock } from '../util/clock';
import { nullLogger, type Logger } from '../util/logger';

/** One HTTP attempt as seen on the wire (telemetry: http.client.request.duration, rate-limit gauge). */
export interface GitHubCallRecord {
  method: string;
  /** e.g. `/orgs/{org}/actions/runners/generate-jitconfig` (a concrete path for pagination links). */
  urlTemplate: string;
  serverAddress: string;
  /** null when no response arrived. */
  status: number | null;
  seconds: number;
  /** The status as text for HTTP errors, `timeout` or `network` without a response; absent on success. */
  errorType?: string;
  requestId?: string;
  rateLimit?: RateLimitSnapshot;
}

export interface RateLimitSnapshot {
  resource: string;
  limit?: number;
  remaining: number;
  /** Epoch seconds, server clock. */
  reset: number;
  /** The response's `Date` (epoch ms, server clock), to convert `reset` without trusting our clock. */
  serverDate?: number;
}

export interface TransportOptions {
  logger?: Logger;
  /** Used for rate-limit waits and retryAt; inject fake time in tests. */
  clock?: Clock;
  /** Every HTTP attempt, including the ones the throttling plugin retries. */
  onCall?: (call: GitHubCallRecord) => void;
  /** Every secret the layer learns (installation and registration tokens, JIT configs), for the redactor. */
  onSecret?: (secret: string) => void;
  /** Per-attempt timeout. Default 30 s. */
  requestTimeoutMs?: number;
  /** Longest rate-limit wait done in place; longer ones surface as github_rate_limited with retryAt. Default 120 s. */
  maxRateLimitWaitMs?: number;
  /** plugin-retry retries of idempotent failures (5xx). Default 3. */
  retries?: number;
  /** plugin-retry backoff unit: waits (n+1)² × this. Default 1000 ms. */
  retryBaseMs?: number;
  fetch?: typeof globalThis.fetch;
  userAgent?: string;
  /**
   * Least time between two writes (POST, DELETE...). GitHub asks for one second (its guidance
   * against secondary rate limits), the default; benchmarks that run the world 100x faster
   * shrink it along with every other outside delay.
   */
  writeSpacingMs?: number;
}

/** What the transport learned from responses; read by the client, doctor and telemetry. */
export class TransportState {
  lastRateLimit?: RateLimitSnapshot;
  /** Server `Date` minus local time, from the last response (±1 s: `Date` has second resolution). */
  clockSkewMs?: number;
  /** `x-oauth-scopes` of a classic PAT, from the last response that carried it. */
  oauthScopes?: string;
}

/** Per-Octokit settings read by the plugins below (passed through the constructor options). */
interface EkidenTransport {
  state: TransportState;
  clock: Clock;
  logger: Logger;
  onCall?: (call: GitHubCallRecord) => void;
  requestTimeoutMs: number;
}

type OctokitOptions = NonNullable<ConstructorParameters<typeof Octokit>[0]>;
/** The endpoint options octokit hands to request hooks (the parts we read or set). */
interface RequestOptions {
  method: string;
  url: string;
  baseUrl: string;
  request: { signal?: unknown; [k: string]: unknown };
}

/** The path of a request relative to the API root, whatever form octokit holds it in. */
export function apiPath(options: { url: string; baseUrl?: string }): string {
  const url = options.url;
  if (!/^https?:\/\//i.test(url)) return url.split('?')[0];
  const path = new URL(url).pathname;
  const basePath = options.baseUrl ? new URL(options.baseUrl).pathname.replace(/\/+$/, '') : '';
  return basePath && path.startsWith(basePath) ? path.slice(basePath.length) || '/' : path;
}

function rateLimitOf(headers: Record<string, unknown> | undefined): RateLimitSnapshot | undefined {
  const remaining = headers?.['x-ratelimit-remaining'];
  const reset = headers?.['x-ratelimit-reset'];
  if (remaining === undefined || reset === undefined) return undefined;
  const date = Date.parse(String(headers?.['date'] ?? ''));
  return {
    resource: String(headers?.['x-ratelimit-resource'] ?? 'core'),
    limit: headers?.['x-ratelimit-limit'] !== undefined ? Number(headers['x-ratelimit-limit']) : undefined,
    remaining: Number(remaining),
    reset: Number(reset),
    serverDate: Number.isFinite(date) ? date : undefined,
  };
}

/**
 * Innermost Ekiden plugin: a timeout per attempt, and a record of every response (status, duration,
 * rate-limit headers, server `Date` for clock skew). Sits inside retry and throttling so it sees each
 * attempt they make.
 */
function observeResponses(octokit: { hook: Octokit['hook'] }, options: OctokitOptions) {
  const t = options.ekiden as EkidenTransport | undefined;
  if (!t) return {};
  const callerSignals = new WeakMap<object, AbortSignal | undefined>();
  octokit.hook.wrap('request', async (request, opts) => {
    const o = opts as RequestOptions;
    if (!callerSignals.has(o)) callerSignals.set(o, o.request?.signal as AbortSignal | undefined);
    const callerSignal = callerSignals.get(o);
    const timeout = AbortSignal.timeout(t.requestTimeoutMs);
    o.request = { ...o.request, signal: callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout };
    const started = performance.now();
    const base = {
      method: o.method,
      urlTemplate: apiPath(o),
      serverAddress: o.baseUrl ? new URL(o.baseUrl).host : '',
    };
    const observe = (status: number | null, headers: Record<string, unknown> | undefined, errorType?: string) => {
      const rateLimit = rateLimitOf(headers);
      if (rateLimit) t.state.lastRateLimit = rateLimit;
      const date = Date.parse(String(headers?.['date'] ?? ''));
      // Compared with the system time auth-app signs JWTs with, not the injected clock.
      if (Number.isFinite(date)) t.state.clockSkewMs = date - Date.now();
      if (headers?.['x-oauth-scopes'] !== undefined) t.state.oauthScopes = String(headers['x-oauth-scopes']);
      const requestId = headers?.['x-github-request-id'];
      t.onCall?.({
        ...base,
        status,
        seconds: (performance.now() - started) / 1000,
        errorType,
        requestId: requestId === undefined ? undefined : String(requestId),
        rateLimit,
      });
    };
    try {
      const response = await request(opts);
      observe(response.status, response.headers as Record<string, unknown>);
      return response;
    } catch (e) {
      const err = e as { response?: { status: number; headers: Record<string, unknown> } };
      if (err.response) observe(err.response.status, err.response.headers, String(err.response.status));
      else observe(null, undefined, (o.request.signal as AbortSignal | undefined)?.aborted ? 'timeout' : 'network');
      throw e;
    }
  });
  return {};
}

const GitHubOctokitBase = Octokit.plugin(observeResponses, retry, throttling);
export type GitHubOctokit = InstanceType<typeof GitHubOctokitBase>;

/** Statuses plugin-retry must not retry: 409 (a retried JIT POST comes back 409) and 429 (throttling owns it). */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];

/** Octokit's log, bridged to our Logger. Its request lines are debug; warnings (e.g. clock skew) stay warnings. */
function octokitLog(logger: Logger, onWarn: (m: string) => void) {
  // request-log's bare "request" line carries nothing useful (its second argument is never logged).
  const debug = (m: unknown) => m !== 'request' && logger.log('debug', String(m));
  return {
    debug,
    info: debug,
    error: debug,
    warn: (m: unknown) => {
      onWarn(String(m));
      // auth-app's retries during token replication are expected noise; a lasting 401 still surfaces as an error.
      logger.log(/Retrying after 401 response to account for token replication delay/.test(String(m)) ? 'info' : 'warn', String(m));
    },
  };
}

const SKEW = /time are different by (-?\d+) seconds/;

export interface BuiltTransport {
  octokit: GitHubOctokit;
  state: TransportState;
}

/**
 * An Octokit with retry (idempotent failures only), throttling (obeys retry-after and reset, retries
 * once), a per-attempt timeout and response observation. `auth`/`authStrategy` come from auth.ts.
 */
export function buildOctokit(
  baseUrl: string,
  auth: Pick<OctokitOptions, 'auth' | 'authStrategy'>,
  opts: TransportOptions,
  state = new TransportState(),
): BuiltTransport {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? nullLogger;
  const maxWait = opts.maxRateLimitWaitMs ?? 120_000;

  const onLimit =
    (kind: 'primary' | 'secondary') =>
    async (retryAfterS: number, options: RequestOptions, _o: unknown, retryCount: number): Promise<boolean> => {
      const what = `${options.method} ${apiPath(options)}`;
      if (retryCount >= 1) {
        logger.log('warn', `GitHub ${kind} rate limit again on ${what}: giving up for now`);
        return false;
      }
      let waitMs = retryAfterS * 1000;
      const rl = state.lastRateLimit;
      // Convert the reset through the server's Date, so a skewed host clock does not shorten the wait.
      if (kind === 'primary' && rl && rl.remaining === 0 && rl.serverDate !== undefined) {
        waitMs = Math.max(0, rl.reset * 1000 - rl.serverDate) + 1000;
      }
      if (waitMs > maxWait) {
        logger.log('warn', `GitHub ${kind} rate limit on ${what}: retry in ${Math.ceil(waitMs / 1000)} s, too long to wait in place`);
        return false;
      }
      logger.log('warn', `GitHub ${kind} rate limit on ${what}: waiting ${Math.ceil(waitMs / 1000)} s before one retry`);
      await clock.sleep(waitMs);
      return true;
    };

  const transport: EkidenTransport = {
    state,
    clock,
    logger,
    onCall: opts.onCall,
    requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
  };

  const id = `ekiden-${randomUUID()}`;
  const octokit = new GitHubOctokitBase({
    ...auth,
    baseUrl,
    userAgent: opts.userAgent ?? 'ekiden',
    log: octokitLog(logger, (m) => {
      const skew = SKEW.exec(m);
      if (skew) state.clockSkewMs = Number(skew[1]) * 1000;
    }),
    request: opts.fetch ? { fetch: opts.fetch } : undefined,
    retry: { retries: opts.retries ?? 3, doNotRetry: DO_NOT_RETRY, retryAfterBaseValue: opts.retryBaseMs ?? 1000 },
    throttle: {
      // A unique id gives this client its own Bottleneck groups (they are module-global, keyed by id).
      id,
      // The plugin's own write group has the same one-second spacing, without a way to change it.
      write: new Bottleneck.Group({ id: `${id}-write`, maxConcurrent: 1, minTime: opts.writeSpacingMs ?? 1000, timeout: 120_000 }),
      // We wait in the handler with the injected clock, so the plugin itself must not add a delay.
      retryAfterBaseValue: 0,
      onRateLimit: onLimit('primary') as never,
      onSecondaryRateLimit: onLimit('secondary') as never,
    },
    ekiden: transport,
  });
  return { octokit, state };
}
