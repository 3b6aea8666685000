// Lists: pagination with Link headers, cache-control/etag, stale lists (gh.list_stale), runner
// groups with visible_to_repository, downloads, and the job endpoint (github.md §1, §2, §9.4).
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type World, raw, seedWorld } from './github-harness';

let w: World;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const auth = () => `token ${w.fineGrained}`;

beforeAll(async () => {
  w = await seedWorld();
  for (let i = 1; i <= 5; i++) {
    const r = await raw(w.gh.apiUrl, 'POST', '/repos/acme/app/actions/runners/generate-jitconfig', {
      auth: auth(),
      body: { name: `r${i}`, runner_group_id: 1, labels: ['self-hosted'] },
    });
    expect(r.status).toBe(201);
  }
});

afterAll(async () => {
  await w.gh.close();
});

const url = (q: string) => `<${w.gh.apiUrl}/repos/acme/app/actions/runners?${q}>`;

describe('pagination', () => {
  it.each([
    [1, ['r1', 'r2'], () => `${url('per_page=2&page=2')}; rel="next", ${url('per_page=2&page=3')}; rel="last"`],
    [
      2,
      ['r3', 'r4'],
      () => `${url('per_page=2&page=1')}; rel="prev", ${url('per_page=2&page=3')}; rel="next", ${url('per_page=2&page=3')}; rel="last", ${url('per_page=2&page=1')}; rel="first"`,
    ],
    [3, ['r5'], () => `${url('per_page=2&page=2')}; rel="prev", ${url('per_page=2&page=1')}; rel="first"`],
  ])('page %i of per_page=2 lists %j with its Link header', async (page, names, link) => {
    const r = await raw(w.gh.apiUrl, 'GET', `/repos/acme/app/actions/runners?per_page=2&page=${page}`, { auth: auth() });
    expect(r.status).toBe(200);
    const body = r.json as { total_count: number; runners: { name: string }[] };
    expect(body.total_count).toBe(5);
    expect(body.runners.map((x) => x.name)).toEqual(names);
    expect(r.headers.get('link')).toBe(link());
  });

  it('a single page has no Link header; per_page is capped at 100; name filters exactly', async () => {
    const all = await raw(w.gh.apiUrl, 'GET', '/repos/acme/app/actions/runners?per_page=500', { auth: auth() });
    expect(all.headers.get('link')).toBeNull();
    expect((all.json as { runners: unknown[] }).runners).toHaveLength(5);
    const one = await raw(w.gh.apiUrl, 'GET', '/repos/acme/app/actions/runners?name=r3', { auth: auth() });
    expect((one.json as { runners: { name: string }[] }).runners.map((x) => x.name)).toEqual(['r3']);
    const none = await raw(w.gh.apiUrl, 'GET', '/repos/acme/app/actions/runners?name=r', { auth: auth() });
    expect((none.json as { total_count: number }).total_count).toBe(0);
  });

  it('octokit.paginate follows the links and unwraps {total_count, runners}', async () => {
    const octokit = new Octokit({ baseUrl: w.gh.apiUrl, auth: w.fineGrained, log: silent });
    const runners = await octokit.paginate(octokit.rest.actions.listSelfHostedRunnersForRepo, { owner: 'acme', repo: 'app', per_page: 2 });
    expect(runners.map((r) => r.name)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });
});

describe('list caching', () => {
  it('lists are cacheable for 60 s with an etag, and a matching If-None-Match answers 304', async () => {
    const r = await raw(w.gh.apiUrl, 'GET', '/repos/acme/app/actions/runners', { auth: auth() });
    expect(r.headers.get('cache-control')).toBe('private, max-age=60, s-maxage=60');
    const etag = r.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);
    const again = await raw(w.gh.apiUrl, 'GET', '/repos/acme/app/actions/runners', { auth: auth(), headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('gh.list_stale(s) serves a copy up to s seconds old (server clock)', async () => {
    await w.gh.setFault('gh.list_stale', { s: 60 });
    try {
      const before = await raw(w.gh.apiUrl, 'GET', '/orgs/acme/actions/runners', { auth: auth() });
      expect((before.json as { total_count: number }).total_count).toBe(0);
      await raw(w.gh.apiUrl, 'POST', '/orgs/acme/actions/runners/generate-jitconfig', { auth: auth(), body: { name: 'org-1', runner_group_id: 1, labels: ['self-hosted'] } });
      const stale = await raw(w.gh.apiUrl, 'GET', '/orgs/acme/actions/runners', { auth: auth() });
      expect((stale.json as { total_count: number }).total_count).toBe(0);
      await w.gh.advanceClock(61);
      const fresh = await raw(w.gh.apiUrl, 'GET', '/orgs/acme/actions/runners', { auth: auth() });
      expect((fresh.json as { total_count: number }).total_count).toBe(1);
    } finally {
      await w.gh.clearFaults();
    }
  });
});

describe('runner groups', () => {
  it('lists the Default group and custom ones, filtered by visible_to_repository', async () => {
    await w.gh.seedRunnerGroup({ org: 'acme', name: 'Macs', visibility: 'selected', selectedRepos: ['app'] });
    await w.gh.seedRunnerGroup({ org: 'acme', name: 'Elsewhere', visibility: 'selected', selectedRepos: ['other'] });
    const octokit = new Octokit({ baseUrl: w.gh.apiUrl, auth: w.fineGrained, log: silent });
    const all = await octokit.request('GET /orgs/{org}/actions/runner-groups', { org: 'acme' });
    expect(all.data.total_count).toBe(3);
    expect(all.data.runner_groups[0]).toEqual({
      id: 1,
      name: 'Default',
      visibility: 'all',
      default: true,
      runners_url: `${w.gh.apiUrl}/orgs/acme/actions/runner-groups/1/runners`,
      inherited: false,
      allows_public_repositories: true,
      restricted_to_workflows: false,
      selected_workflows: [],
      workflow_restrictions_read_only: false,
    });
    const visible = await octokit.request('GET /orgs/{org}/actions/runner-groups', { org: 'acme', visible_to_repository: 'app' });
    expect(visible.data.runner_groups.map((g) => g.name)).toEqual(['Default', 'Macs']);
    expect(visible.data.runner_groups[1].selected_repositories_url).toMatch(/\/orgs\/acme\/actions\/runner-groups\/\d+\/repositories$/);
  });
});

describe('downloads and jobs', () => {
  it('downloads list osx/linux/win archives of the latest version with checksums', async () => {
    await w.gh.setConfig({ latestRunnerVersion: '2.337.1' });
    const r = await raw(w.gh.apiUrl, 'GET', '/repos/acme/app/actions/runners/downloads', { auth: auth() });
    const list = r.json as { os: string; architecture: string; filename: string; download_url: string; sha256_checksum: string }[];
    const mac = list.find((d) => d.os === 'osx' && d.architecture === 'arm64')!;
    expect(mac).toEqual({
      os: 'osx',
      architecture: 'arm64',
      filename: 'actions-runner-osx-arm64-2.337.1.tar.gz',
      download_url: 'https://github.com/actions/runner/releases/download/v2.337.1/actions-runner-osx-arm64-2.337.1.tar.gz',
      sha256_checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(list.map((d) => `${d.os}-${d.architecture}`).sort()).toEqual(['linux-arm', 'linux-arm64', 'linux-x64', 'osx-arm64', 'osx-x64', 'win-arm64', 'win-x64']);
    expect(list.find((d) => d.os === 'win')!.filename.endsWith('.zip')).toBe(true);
  });

  it('GET job returns the workflow job; unknown or other-repo jobs are 404', async () => {
    const job = await w.gh.enqueueJob({ repo: 'acme/app', name: 'build', labels: ['nothing-matches'] });
    const r = await raw(w.gh.apiUrl, 'GET', `/repos/acme/app/actions/jobs/${job.id}`, { auth: auth() });
    expect(r.json).toMatchObject({ id: job.id, name: 'build', status: 'queued', conclusion: null, labels: ['nothing-matches'], runner_id: null, steps: [] });
    expect((await raw(w.gh.apiUrl, 'GET', '/repos/acme/app/actions/jobs/1', { auth: auth() })).status).toBe(404);
  });

  it('a job queued for 24 h fails', async () => {
    const job = await w.gh.enqueueJob({ repo: 'acme/app', name: 'forever', labels: ['nothing-matches'] });
    await w.gh.advanceClock(24 * 3600);
    expect(await w.gh.job(job.id)).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });
});
