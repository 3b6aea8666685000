import { EkidenError, type FailureReason } from '../errors';
import { scopeLabel, type CredentialKind, type GitHubScope } from './github-config';

/** A failed GitHub call, typed with the Ekiden reason plus what GitHub said. */
export class GitHubApiError extends EkidenError {
  override readonly name: string = 'GitHubApiError';
  /** HTTP status, or undefined when GitHub did not answer (timeout, network). */
  readonly status?: number;
  /** What Ekiden was doing: `generate-jitconfig`, `delete-runner`, ... */
  readonly operation: string;
  /** The raw `message` GitHub sent ('' for an empty or non-JSON body). */
  readonly githubMessage: string;
  /** For github_rate_limited: when a retry may succeed (epoch ms, local clock). */
  readonly retryAt?: number;
  readonly requestId?: string;
  /** `x-accepted-github-permissions`, e.g. `administration=write`. */
  readonly acceptedPermissions?: string;

  constructor(
    reason: FailureReason,
    message: string,
    init: {
      operation: string;
      status?: number;
      githubMessage?: string;
      retryAt?: number;
      requestId?: string;
      acceptedPermissions?: string;
      cause?: unknown;
    },
  ) {
    const detail = [init.status ? `HTTP ${init.status}` : 'no response', init.operation, init.githubMessage]
      .filter(Boolean)
      .join(' ');
    super(reason, message, detail, { cause: init.cause });
    this.status = init.status;
    this.operation = init.operation;
    this.githubMessage = init.githubMessage ?? '';
    this.retryAt = init.retryAt;
    this.requestId = init.requestId;
    this.acceptedPermissions = init.acceptedPermissions;
  }
}

export function isGitHubApiError(e: unknown): e is GitHubApiError {
  return e instanceof GitHubApiError;
}

/** What an octokit failure carried, read defensively (bodies may be empty, text or binary). */
export interface HttpFailure {
  /** undefined when no response arrived. */
  status?: number;
  headers: Record<string, string | undefined>;
  githubMessage: string;
  timedOut: boolean;
  /** The transport error text when no response arrived. */
  transportMessage: string;
}

/** Reads GitHub's `message` from any error body shape: JSON object, JSON string, text, '' or bytes. */
export function githubMessageOf(body: unknown): string {
  if (body == null) return '';
  if (typeof body === 'string') {
    const text = body.trim();
    if (!text) return '';
    try {
      return githubMessageOf(JSON.parse(text) as unknown);
    } catch {
      return text.slice(0, 300);
    }
  }
  if (typeof body === 'object' && !(body instanceof ArrayBuffer) && !ArrayBuffer.isView(body)) {
    const message = (body as { message?: unknown }).message;
    return typeof message === 'string' ? message : '';
  }
  return '';
}

function isTimeout(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const name = (cur as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return true;
  }
  return false;
}

/** Extracts status, headers and message from an octokit RequestError (or a transport error). */
export function httpFailureOf(e: unknown): HttpFailure {
  const err = e as { status?: unknown; response?: { status?: number; headers?: Record<string, unknown>; data?: unknown }; message?: unknown };
  const response = err?.response;
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(response?.headers ?? {})) headers[k.toLowerCase()] = v == null ? undefined : String(v);
  const status = response ? Number(response.status ?? err.status) : undefined;
  return {
    status: Number.isFinite(status) ? status : undefined,
    headers,
    githubMessage: response ? githubMessageOf(response.data) : '',
    timedOut: !response && isTimeout(e),
    transportMessage: response ? '' : String(err?.message ?? e),
  };
}

const SECONDARY = /\bsecondary rate\b/i;

/** 403/429 that is a primary (remaining 0) or secondary rate limit (github.md §4). */
export function isRateLimit(f: HttpFailure): boolean {
  if (f.status !== 403 && f.status !== 429) return false;
  return SECONDARY.test(f.githubMessage) || f.headers['x-ratelimit-remaining'] === '0' || (f.status === 429);
}

/**
 * When a rate-limited call may be retried, on the local clock: `retry-after` when present, else the
 * reset (converted through the server's `Date` so a skewed host clock does not matter), else 60 s.
 */
export function rateLimitRetryAt(f: HttpFailure, now: number): number {
  const retryAfter = Number(f.headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && f.headers['retry-after'] !== undefined) return now + retryAfter * 1000;
  const reset = Number(f.headers['x-ratelimit-reset']);
  if (f.headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset) && reset > 0) {
    const serverNow = Date.parse(f.headers['date'] ?? '');
    const base = Number.isFinite(serverNow) ? serverNow : now;
    return now + Math.max(0, reset * 1000 - base) + 1000;
  }
  return now + 60_000;
}

/** What a credential needs to manage runners on a scope (github.md §3), phrased as the fix. */
export function permissionHint(kind: CredentialKind, scope: GitHubScope['kind']): string {
  const enterpriseOnlyClassic = 'enterprise runners need a classic PAT with the manage_runners:enterprise scope';
  switch (kind) {
    case 'app':
      if (scope === 'repo') return 'the GitHub App needs the repository permission "Administration: Read and write" (and "Metadata: Read")';
      if (scope === 'org') return 'the GitHub App needs the organization permission "Self-hosted runners: Read and write" (organization_self_hosted_runners)';
      return `a GitHub App cannot manage enterprise runners: ${enterpriseOnlyClassic}`;
    case 'fine_grained_pat':
      if (scope === 'repo') return 'the fine-grained token needs the repository permission "Administration: Read and write", and the token user must be a repo admin';
      if (scope === 'org') return 'the fine-grained token needs the organization permission "Self-hosted runners: Read and write" (organization_self_hosted_runners), and the token user must be an org admin';
      return `a fine-grained token cannot manage enterprise runners: ${enterpriseOnlyClassic}`;
    case 'classic_pat':
      if (scope === 'repo') return 'the classic token needs the "repo" scope, and the token user must be a repo admin';
      if (scope === 'org') return 'the classic token needs the "admin:org" scope (plus "repo" for private repositories), and the token user must be an org admin';
      return 'the classic token needs the "manage_runners:enterprise" (or "admin:enterprise") scope, and the token user must be an enterprise admin';
  }
}

/** GitHub's misleading answer when the PAT's user is not an admin (jsboige/CoursIA#15154). */
const NOT_ADMIN = /must have repository read permissions or have the repository runners fine-grained permission/i;
const SUSPENDED = /installation has been suspended/i;

export interface ErrorContext {
  operation: string;
  scope: GitHubScope;
  credentialKind: CredentialKind;
  /** Local clock, for retryAt. */
  now: number;
}

/** Maps any failure of a GitHub call to a typed GitHubApiError with an operator-facing message. */
export function toGitHubApiError(e: unknown, ctx: ErrorContext): GitHubApiError {
  if (e instanceof GitHubApiError) return e;
  const f = httpFailureOf(e);
  const where = scopeLabel(ctx.scope);
  const init = {
    operation: ctx.operation,
    status: f.status,
    githubMessage: f.githubMessage,
    requestId: f.headers['x-github-request-id'],
    acceptedPermissions: f.headers['x-accepted-github-permissions'],
    cause: e,
  };
  if (f.status === undefined) {
    const what = f.timedOut ? 'timed out' : `failed (${f.transportMessage})`;
    return new GitHubApiError('github_5xx', `GitHub ${ctx.operation} ${what}: GitHub or the network is unavailable; retrying later`, {
      ...init,
      githubMessage: f.transportMessage,
    });
  }
  if (isRateLimit(f)) {
    const retryAt = rateLimitRetryAt(f, ctx.now);
    const kind = SECONDARY.test(f.githubMessage) ? 'secondary rate limit' : 'rate limit';
    return new GitHubApiError('github_rate_limited', `GitHub ${kind} hit during ${ctx.operation}: waiting until ${new Date(retryAt).toISOString()}`, {
      ...init,
      retryAt,
    });
  }
  const s = f.status;
  if (s === 401) {
    return new GitHubApiError('github_auth', `GitHub credentials rejected: check the App id/private key or the token${f.githubMessage ? ` (${f.githubMessage})` : ''}`, init);
  }
  if (s === 403) {
    if (SUSPENDED.test(f.githubMessage)) {
      return new GitHubApiError('github_permission', `The GitHub App installation for ${where} is suspended: unsuspend it in the owner's settings`, init);
    }
    if (NOT_ADMIN.test(f.githubMessage)) {
      const who = ctx.scope.kind === 'repo' ? 'a repo admin' : ctx.scope.kind === 'org' ? 'an org admin' : 'an enterprise admin';
      return new GitHubApiError('github_permission', `GitHub refused ${ctx.operation} on ${where}: the token user must be ${who}`, init);
    }
    const empty = f.githubMessage ? '' : ' (GitHub sent an empty 403: a repository or organization policy may block self-hosted runners here)';
    return new GitHubApiError('github_permission', `GitHub refused ${ctx.operation} on ${where}: ${permissionHint(ctx.credentialKind, ctx.scope.kind)}${empty}`, init);
  }
  if (s === 404) {
    const message =
      ctx.credentialKind === 'app'
        ? ctx.scope.kind === 'repo'
          ? `GitHub App not installed on ${where} (or the repository is not selected in the installation)`
          : `GitHub App not installed on ${where}`
        : `${where} not found, or not visible to the token`;
    return new GitHubApiError('github_not_found', message, init);
  }
  if (s === 409) {
    return new GitHubApiError('jit_conflict', `GitHub says the runner already exists (${ctx.operation}): minting under a new name`, init);
  }
  if (s === 422) {
    return new GitHubApiError('config_invalid', `GitHub rejected the ${ctx.operation} request: ${f.githubMessage || 'invalid input'}`, init);
  }
  if (s >= 500) {
    return new GitHubApiError('github_5xx', `GitHub answered ${s} to ${ctx.operation}: retrying later`, init);
  }
  return new GitHubApiError('github_5xx', `GitHub answered ${s} to ${ctx.operation}${f.githubMessage ? `: ${f.githubMessage}` : ''}`, init);
}
