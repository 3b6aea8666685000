import { describe, expect, it } from 'vitest';
import {
  githubMessageOf,
  permissionHint,
  rateLimitRetryAt,
  httpFailureOf,
  toGitHubApiError,
  GitHubApiError,
} from '../../../src-main/core/github/api-errors';
import type { CredentialKind, GitHubScope } from '../../../src-main/core/github/github-config';

const NOW = Date.UTC(2026, 7, 17, 14, 0, 0);
const DOCS = 'https://docs.github.com/rest';

/** The shape of an octokit RequestError (github.md §1): status, response.headers, response.data. */
function httpError(status: number, data: unknown, headers: Record<string, string> = {}) {
  return Object.assign(new Error('x'), { status, response: { status, url: 'http://x', headers, data } });
}
const body = (message: string, status: number) => ({ message, documentation_url: DOCS, status: String(status) });

const repo: GitHubScope = { kind: 'repo', owner: 'acme', repo: 'widgets' };
const org: GitHubScope = { kind: 'org', org: 'acme' };
const ent: GitHubScope = { kind: 'enterprise', enterprise: 'big' };
const map = (e: unknown, scope: GitHubScope = repo, credentialKind: CredentialKind = 'app', operation = 'generate-jitconfig') =>
  toGitHubApiError(e, { operation, scope, credentialKind, now: NOW });

describe('GitHub error bodies are read safely', () => {
  it.each([
    [body('Bad credentials', 401), 'Bad credentials'],
    ['', ''],
    ['   ', ''],
    [JSON.stringify(body('Not Found', 404)), 'Not Found'],
    ['<html>502 Bad Gateway</html>', '<html>502 Bad Gateway</html>'],
    [new ArrayBuffer(4), ''],
    [null, ''],
    [{ no: 'message' }, ''],
  ])('%j -> %j', (data, message) => {
    expect(githubMessageOf(data)).toBe(message);
  });

  it('types an empty 403 (gh.empty_403) without crashing', () => {
    const e = map(httpError(403, ''));
    expect(e).toBeInstanceOf(GitHubApiError);
    expect(e.reason).toBe('github_permission');
    expect(e.githubMessage).toBe('');
    expect(e.message).toMatch(/empty 403/);
  });
});

describe('status -> failure reason (github.md §4 catalogue)', () => {
  it.each([
    [401, 'Requires authentication', 'github_auth'],
    [401, 'Bad credentials', 'github_auth'],
    [401, "'Expiration time' claim ('exp') is too far in the future", 'github_auth'],
    [401, 'A JSON web token could not be decoded', 'github_auth'],
    [403, 'Resource not accessible by integration', 'github_permission'],
    [403, 'Resource not accessible by personal access token', 'github_permission'],
    [403, 'You must have repository read permissions or have the repository runners fine-grained permission', 'github_permission'],
    [404, 'Not Found', 'github_not_found'],
    [409, 'Already exists - A runner with the name ekiden-mac-0-x already exists.', 'jit_conflict'],
    [422, 'Invalid input: object is missing required key: runner_group_id', 'config_invalid'],
    [500, 'Server Error', 'github_5xx'],
    [502, '', 'github_5xx'],
    [503, 'Service Unavailable', 'github_5xx'],
  ] as const)('%i %s -> %s', (status, message, reason) => {
    const e = map(httpError(status, body(message, status)));
    expect(e.reason).toBe(reason);
    expect(e.status).toBe(status);
    expect(e.githubMessage).toBe(message);
  });

  it('401 tells the operator what to check', () => {
    expect(map(httpError(401, body('Bad credentials', 401))).message).toBe(
      'GitHub credentials rejected: check the App id/private key or the token (Bad credentials)',
    );
  });

  it('404 says the App is not installed, or the scope is not visible to a token', () => {
    expect(map(httpError(404, body('Not Found', 404)), org, 'app').message).toBe('GitHub App not installed on acme');
    expect(map(httpError(404, body('Not Found', 404)), repo, 'app').message).toMatch(/^GitHub App not installed on acme\/widgets/);
    expect(map(httpError(404, body('Not Found', 404)), repo, 'fine_grained_pat').message).toBe('acme/widgets not found, or not visible to the token');
  });

  it('a non-admin PAT user gets "token user must be repo/org admin"', () => {
    const msg = 'You must have repository read permissions or have the repository runners fine-grained permission';
    expect(map(httpError(403, body(msg, 403)), repo, 'fine_grained_pat').message).toMatch(/the token user must be a repo admin$/);
    expect(map(httpError(403, body(msg, 403)), org, 'classic_pat').message).toMatch(/the token user must be an org admin$/);
  });

  it('a suspended installation is named as such', () => {
    expect(map(httpError(403, body('This installation has been suspended', 403))).message).toMatch(/suspended/);
  });

  it('a missing response (timeout, network) is github_5xx without a status', () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), {
      status: 500,
      cause: Object.assign(new Error('timeout'), { name: 'TimeoutError' }),
    });
    const e = map(timeout);
    expect(e.reason).toBe('github_5xx');
    expect(e.status).toBeUndefined();
    expect(e.message).toMatch(/timed out/);
    expect(httpFailureOf(timeout).timedOut).toBe(true);
  });

  it('keeps request id and accepted permissions for the log', () => {
    const e = map(httpError(403, body('Resource not accessible by integration', 403), {
      'x-github-request-id': 'ABCD:1234',
      'x-accepted-github-permissions': 'administration=write',
    }));
    expect(e.requestId).toBe('ABCD:1234');
    expect(e.acceptedPermissions).toBe('administration=write');
    expect(e.detail).toBe('HTTP 403 generate-jitconfig Resource not accessible by integration');
  });
});

describe('missing-permission messages per credential kind and scope (github.md §3)', () => {
  it.each([
    ['app', 'repo', /Administration: Read and write/],
    ['app', 'org', /Self-hosted runners: Read and write.*organization_self_hosted_runners/],
    ['app', 'enterprise', /cannot manage enterprise runners.*manage_runners:enterprise/],
    ['fine_grained_pat', 'repo', /Administration: Read and write.*repo admin/],
    ['fine_grained_pat', 'org', /organization_self_hosted_runners.*org admin/],
    ['fine_grained_pat', 'enterprise', /cannot manage enterprise runners/],
    ['classic_pat', 'repo', /"repo" scope.*repo admin/],
    ['classic_pat', 'org', /"admin:org" scope.*"repo" for private repositories.*org admin/],
    ['classic_pat', 'enterprise', /"manage_runners:enterprise" \(or "admin:enterprise"\)/],
  ] as const)('%s on %s', (kind, scope, text) => {
    expect(permissionHint(kind, scope)).toMatch(text);
  });

  it('a 403 names the permission for the credential in use', () => {
    const e = map(httpError(403, body('Resource not accessible by personal access token', 403)), ent, 'classic_pat', 'list-runners');
    expect(e.message).toBe(
      'GitHub refused list-runners on enterprise big: the classic token needs the "manage_runners:enterprise" (or "admin:enterprise") scope, and the token user must be an enterprise admin',
    );
  });
});

describe('rate limits (github.md §4)', () => {
  const secondary = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
  const primary = 'API rate limit exceeded for installation ID 1.';

  it.each([403, 429])('secondary limit on %i waits for retry-after', (status) => {
    const e = map(httpError(status, body(secondary, status), { 'retry-after': '30', 'x-ratelimit-remaining': '4000' }));
    expect(e.reason).toBe('github_rate_limited');
    expect(e.retryAt).toBe(NOW + 30_000);
    expect(e.message).toMatch(/secondary rate limit/);
  });

  it('primary limit waits until reset, measured on the server clock', () => {
    // Server clock is 2 minutes ahead of ours: reset is 100 s after the server's Date.
    const serverNow = NOW + 120_000;
    const headers = {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.floor(serverNow / 1000) + 100),
      date: new Date(serverNow).toUTCString(),
    };
    const e = map(httpError(403, { message: primary, documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '403' }, headers));
    expect(e.reason).toBe('github_rate_limited');
    expect(e.retryAt).toBe(NOW + 101_000);
  });

  it('falls back to 60 s without headers, and 403 without the markers is not a rate limit', () => {
    expect(rateLimitRetryAt(httpFailureOf(httpError(429, '')), NOW)).toBe(NOW + 60_000);
    expect(map(httpError(403, body('Forbidden', 403))).reason).toBe('github_permission');
  });
});
