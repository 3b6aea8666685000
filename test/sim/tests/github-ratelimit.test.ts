// Rate limiting of github.md §4 / §9.5: headers, primary limit (403/429), the secondary-limit
// fault with retry-after, /rate_limit not counting, and plugin-throttling's view of it.
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type World, raw, seedWorld } from './github-harness';

let w: World;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const RUNNERS = '/repos/acme/app/actions/runners';

beforeEach(async () => {
  w = await seedWorld();
});

afterEach(async () => {
  await w.gh.close();
});

describe('primary rate limit', () => {
  it('counts each request in x-ratelimit-* and /rate_limit does not count', async () => {
    const a = await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: `token ${w.fineGrained}` });
    const b = await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: `token ${w.fineGrained}` });
    expect([a.headers.get('x-ratelimit-used'), b.headers.get('x-ratelimit-used')]).toEqual(['1', '2']);
    expect(b.headers.get('x-ratelimit-remaining')).toBe('4998');
    const rl = await raw(w.gh.apiUrl, 'GET', '/rate_limit', { auth: `token ${w.fineGrained}` });
    expect(rl.json).toMatchObject({ resources: { core: { limit: 5000, used: 2, remaining: 4998 } }, rate: { used: 2 } });
    const c = await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: `token ${w.fineGrained}` });
    expect(c.headers.get('x-ratelimit-used')).toBe('3');
  });

  // The installation token itself dies with the hour, so a fresh one (same installation) checks the reset.
  const freshInstallationToken = async () => `token ${(await w.gh.seedToken({ kind: 'installation', installationId: w.installationId })).value}`;
  it.each([
    [403, 'installation', () => `token ${w.instToken}`, () => `API rate limit exceeded for installation ID ${w.installationId}.`, freshInstallationToken],
    [429, 'PAT', () => `token ${w.fineGrained}`, () => /^API rate limit exceeded for user ID \d+\.$/, async () => `token ${w.fineGrained}`],
  ] as const)('answers %i for an exhausted %s bucket until the window resets', async (status, _kind, authz, message, afterReset) => {
    await w.gh.setConfig({ rateLimit: { enabled: true, limit: 2, status } });
    for (let i = 0; i < 2; i++) expect((await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: authz() })).status).toBe(200);
    const r = await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: authz() });
    expect(r.status).toBe(status);
    const body = r.json as { message: string; documentation_url: string; status: string };
    expect(body.message).toMatch(message());
    expect(body).toMatchObject({ documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: String(status) });
    expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(r.headers.get('x-ratelimit-reset'));
    expect(reset * 1000).toBeGreaterThan(Date.parse(r.headers.get('date')!));
    await w.gh.advanceClock(3600);
    expect((await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: await afterReset() })).status).toBe(200);
  });
});

describe('secondary rate limit (gh.rate_limit_secondary)', () => {
  it('answers 403 with retry-after and a non-zero remaining until retryAfter seconds pass on the server clock', async () => {
    await w.gh.setFault('gh.rate_limit_secondary', { retryAfter: 30 });
    const r = await raw(w.gh.apiUrl, 'POST', `${RUNNERS}/registration-token`, { auth: `token ${w.fineGrained}` });
    expect(r.status).toBe(403);
    expect((r.json as { message: string }).message).toBe('You have exceeded a secondary rate limit. Please wait a few minutes before you try again.');
    expect(r.headers.get('retry-after')).toBe('30');
    expect(Number(r.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    expect((await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: `token ${w.fineGrained}` })).status).toBe(403);
    await w.gh.advanceClock(30);
    expect((await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: `token ${w.fineGrained}` })).status).toBe(200);
  });

  it('plugin-throttling sees it as a secondary limit with the retry-after', async () => {
    await w.gh.setFault('gh.rate_limit_secondary', { retryAfter: 7 }, { times: 1 });
    const onSecondaryRateLimit = vi.fn(() => false);
    const ThrottledOctokit = Octokit.plugin(throttling);
    const octokit = new ThrottledOctokit({
      baseUrl: w.gh.apiUrl,
      auth: w.fineGrained,
      log: silent,
      throttle: { id: `fake-${Date.now()}`, onRateLimit: () => false, onSecondaryRateLimit },
    });
    await expect(octokit.rest.actions.listSelfHostedRunnersForRepo({ owner: 'acme', repo: 'app' })).rejects.toMatchObject({ status: 403 });
    expect(onSecondaryRateLimit).toHaveBeenCalledTimes(1);
    expect((onSecondaryRateLimit.mock.calls[0] as unknown[])[0]).toBe(7);
    expect((await octokit.rest.actions.listSelfHostedRunnersForRepo({ owner: 'acme', repo: 'app' })).status).toBe(200);
  });
});
