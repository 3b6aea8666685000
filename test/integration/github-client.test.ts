// The GitHub layer against the fake GitHub server (github.md §9): auth kinds × scopes, JIT without
// blind retries, deletes, pagination, rate limits, GHES, empty 403s and clock skew.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub, type SeededApp } from '../sim/github/index';
import { checkGitHubAccess, type AccessCheck } from '../../src-main/core/github/access-check';
import { isGitHubApiError, type GitHubApiError } from '../../src-main/core/github/api-errors';
import type { GitHubCredentials, GitHubScope, GitHubSettings } from '../../src-main/core/github/github-config';
import { createGitHubClient, isJitUnavailable, type OctokitGitHubClient, type RunnerDeletion } from '../../src-main/core/github/octokit-client';
import type { GitHubCallRecord, TransportOptions } from '../../src-main/core/github/transport';
import type { Clock } from '../../src-main/core/util/clock';
import { bindLogger, type LogLevel } from '../../src-main/core/util/logger';

const LABELS = ['self-hosted', 'macOS', 'ARM64'];
const REPO: GitHubScope = { kind: 'repo', owner: 'acme', repo: 'widgets' };
const ORG: GitHubScope = { kind: 'org', org: 'acme' };
const ENT: GitHubScope = { kind: 'enterprise', enterprise: 'bigcorp' };

let gh: FakeGitHub;
beforeAll(async () => {
  gh = await startFakeGitHub();
});
afterAll(async () => {
  await gh?.close();
});
beforeEach(async () => {
  await gh.reset();
});

interface Harness {
  client: OctokitGitHubClient;
  logs: { level: LogLevel; text: string }[];
  deletions: RunnerDeletion[];
  calls: GitHubCallRecord[];
  secrets: string[];
}

async function connect(
  scope: GitHubScope,
  credentials: GitHubCredentials,
  extra: Partial<GitHubSettings> & { transport?: TransportOptions; jitTimeoutMs?: number } = {},
  server: FakeGitHub = gh,
): Promise<Harness> {
  const logs: Harness['logs'] = [];
  const deletions: RunnerDeletion[] = [];
  const calls: GitHubCallRecord[] = [];
  const secrets: string[] = [];
  const { transport, jitTimeoutMs, ...settings } = extra;
  const client = await createGitHubClient(
    { apiUrl: server.apiUrl, scope, credentials, ...settings },
    {
      logger: bindLogger((level, text) => logs.push({ level, text })),
      onCall: (c) => calls.push(c),
      onSecret: (s) => secrets.push(s),
      retryBaseMs: 10,
      ...transport,
    },
    { onRunnerDeleted: (d) => deletions.push(d), jitTimeoutMs },
  );
  return { client, logs, deletions, calls, secrets };
}

async function seedApp(account = 'acme', permissions?: Record<string, 'read' | 'write'>): Promise<{ app: SeededApp; installationId: number }> {
  await gh.seedOrg({ login: account });
  await gh.seedRepo({ owner: account, name: 'widgets' });
  const app = await gh.seedApp({});
  const inst = await gh.seedInstallation({ appId: app.appId, account, ...(permissions ? { permissions } : {}) });
  return { app, installationId: inst.id };
}

const appCredentials = (app: SeededApp): GitHubCredentials => ({ kind: 'app', clientId: app.clientId, privateKey: app.privateKeyPem });

async function failureOf(p: Promise<unknown>): Promise<GitHubApiError> {
  try {
    await p;
  } catch (e) {
    if (isGitHubApiError(e)) return e;
    throw e;
  }
  throw new Error('expected a GitHub failure');
}

const mint = (h: Harness, name: string, runnerGroupId = 1) =>
  h.client.createJitRunner({ name, labels: LABELS, runnerGroupId, workFolder: '_work' });

const restLog = async () => (await gh.requests()).filter((r) => !r.path.startsWith('/_fake'));

/** A fake clock whose waits advance the fake server's clock instead of real time. */
function serverClock(server: FakeGitHub, sleeps: number[]): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: async (ms) => {
      sleeps.push(ms);
      offset += ms;
      await server.advanceClock(ms / 1000);
    },
  };
}

describe('GitHub App', () => {
  it('authenticates end to end: JWT -> installation -> installation token -> jitconfig', async () => {
    const { app, installationId } = await seedApp();
    const h = await connect(REPO, appCredentials(app));
    expect(h.client.connection.installation?.id).toBe(installationId);
    expect(h.client.runnerUrl).toBe(`${gh.url}/acme/widgets`);

    const jit = await mint(h, 'ekiden-mac-0-a1');
    expect(jit.runner).toMatchObject({ name: 'ekiden-mac-0-a1', status: 'offline', busy: false });
    expect(jit.runner.labels.map((l) => l.name)).toEqual(LABELS);
    const files = JSON.parse(Buffer.from(jit.encodedJitConfig, 'base64').toString()) as Record<string, string>;
    expect(JSON.parse(Buffer.from(files['.runner'], 'base64').toString())).toMatchObject({ AgentName: 'ekiden-mac-0-a1', WorkFolder: '_work' });
    // The JIT config and the installation token were handed to the redactor.
    expect(h.secrets).toContain(jit.encodedJitConfig);
    expect(h.secrets.some((s) => s.startsWith('ghs_'))).toBe(true);

    expect((await restLog()).map((r) => `${r.method} ${r.path} ${r.status} ${r.authKind}`)).toEqual([
      `GET /repos/acme/widgets/installation 200 jwt`,
      `POST /app/installations/${installationId}/access_tokens 201 jwt`,
      `POST /repos/acme/widgets/actions/runners/generate-jitconfig 201 installation`,
    ]);
    expect(h.calls.map((c) => c.urlTemplate)).toContain('/repos/{owner}/{repo}/actions/runners/generate-jitconfig');
  });

  it('accepts an App ID instead of the client ID, and a configured installation id', async () => {
    const { app, installationId } = await seedApp();
    const h = await connect(ORG, { kind: 'app', appId: app.appId, privateKey: app.privateKeyPem, installationId });
    expect(await h.client.latestRunnerVersion()).toBe('2.336.0');
    expect((await restLog()).some((r) => r.path.endsWith('/installation'))).toBe(false);
  });

  it.each([
    ['org', ORG],
    ['repo', REPO],
  ])('finds the installation of account "Acme" for configured %s "acme" (tartelet#55)', async (_k, scope) => {
    const { app } = await seedApp('Acme');
    const h = await connect(scope, appCredentials(app));
    expect(h.client.connection.installation?.accountLogin).toBe('Acme');
    expect(await h.client.runnerGroupId()).toBe(1);
  });

  it('says "App not installed on <org>" when there is no installation', async () => {
    await gh.seedOrg({ login: 'acme' });
    const app = await gh.seedApp({});
    const e = await failureOf(connect(ORG, appCredentials(app)));
    expect(e.reason).toBe('github_not_found');
    expect(e.message).toMatch(/^GitHub App not installed on acme/);
  });

  it('tells a repository missing from a selected-repositories installation apart', async () => {
    await gh.seedRepo({ owner: 'acme', name: 'widgets' });
    const app = await gh.seedApp({});
    await gh.seedInstallation({ appId: app.appId, account: 'acme', repositorySelection: 'selected', repos: ['other'] });
    const e = await failureOf(connect(REPO, appCredentials(app)));
    expect(e.reason).toBe('github_not_found');
    expect(e.message).toBe('GitHub App installed on acme but acme/widgets is not selected in the installation: add the repository to it');
  });

  it('maps a missing App permission to the permission to grant', async () => {
    const { app } = await seedApp('acme', { metadata: 'read' });
    const h = await connect(ORG, appCredentials(app));
    const e = await failureOf(mint(h, 'ekiden-mac-0-p'));
    expect(e.reason).toBe('github_permission');
    expect(e.githubMessage).toBe('Resource not accessible by integration');
    expect(e.message).toMatch(/organization_self_hosted_runners/);
    expect(e.acceptedPermissions).toBe('organization_self_hosted_runners=write');
  });

  it('recovers from clock skew by re-signing, and logs the skew as a warning', async () => {
    const { app } = await seedApp();
    await gh.setFault('gh.clock_skew', { s: -120 });
    const h = await connect(ORG, appCredentials(app));
    await mint(h, 'ekiden-mac-0-skew');
    const warnings = h.logs.filter((l) => l.level === 'warn').map((l) => l.text);
    expect(warnings.some((w) => /GitHub API time and system time are different by -1[12]\d seconds/.test(w))).toBe(true);
    const log = await restLog();
    // The first JWT is refused as too far in the future; the re-signed one passes.
    expect(log.filter((r) => r.path === '/orgs/acme/installation').map((r) => r.status)).toEqual([401, 200]);
    expect(Math.abs(h.client.connection.state.clockSkewMs! / 1000 + 120)).toBeLessThanOrEqual(2);
  });

  it('mints a fresh installation token when the cached one has expired on the server', async () => {
    const { app } = await seedApp();
    const h = await connect(ORG, appCredentials(app));
    await h.client.runnerGroupId();
    await gh.advanceClock(3700);
    await h.client.listRunners();
    // Refused once with 401 (expired), then a fresh token: two minted in all. (auth-app first retries
    // the 401 for ~5 s, taking it for replication delay, since the token is seconds old in real time.)
    const tokens = (await restLog()).filter((r) => r.path.endsWith('/access_tokens') && r.status === 201);
    expect(tokens).toHaveLength(2);
    expect((await restLog()).filter((r) => r.route === 'list-runners').map((r) => r.status).at(-1)).toBe(200);
  });

  it('waits out installation-token replication delay without failing', async () => {
    const { app } = await seedApp();
    await gh.setFault('gh.token_replication', { ms: 1500 });
    const h = await connect(ORG, appCredentials(app));
    expect(await h.client.listRunners()).toEqual([]);
    expect(h.logs.some((l) => l.level === 'warn')).toBe(false);
  });
});

describe('personal access tokens: kinds x scopes (field-failures.md #25)', () => {
  beforeEach(async () => {
    await gh.seedEnterprise({ slug: 'bigcorp' });
    await gh.seedOrg({ login: 'acme', enterprise: 'bigcorp' });
    await gh.seedRepo({ owner: 'acme', name: 'widgets' });
  });

  type Row = [string, GitHubScope, Parameters<FakeGitHub['seedToken']>[0], number, RegExp | null];
  const rows: Row[] = [
    ['fine-grained, Administration write, repo', REPO, { kind: 'fine_grained_pat', permissions: { administration: 'write' } }, 201, null],
    ['fine-grained, Administration read, repo', REPO, { kind: 'fine_grained_pat', permissions: { administration: 'read' } }, 403, /"Administration: Read and write", and the token user must be a repo admin/],
    ['fine-grained, Self-hosted runners write, org', ORG, { kind: 'fine_grained_pat', permissions: { organization_self_hosted_runners: 'write' } }, 201, null],
    ['fine-grained, no org permission, org', ORG, { kind: 'fine_grained_pat', permissions: { administration: 'write' } }, 403, /organization_self_hosted_runners.*org admin/],
    ['fine-grained, user not admin, repo', REPO, { kind: 'fine_grained_pat', permissions: { administration: 'write' }, userIsAdmin: false }, 403, /the token user must be a repo admin$/],
    ['fine-grained, other owner, repo', REPO, { kind: 'fine_grained_pat', permissions: { administration: 'write' }, owner: 'someone-else' }, 404, /^acme\/widgets not found, or not visible to the token$/],
    ['classic repo, repo', REPO, { kind: 'classic_pat', scopes: ['repo'] }, 201, null],
    ['classic without repo, repo', REPO, { kind: 'classic_pat', scopes: ['read:org'] }, 403, /needs the "repo" scope/],
    ['classic admin:org, org', ORG, { kind: 'classic_pat', scopes: ['admin:org'] }, 201, null],
    ['classic repo only, org', ORG, { kind: 'classic_pat', scopes: ['repo'] }, 403, /needs the "admin:org" scope/],
    ['classic not admin, org', ORG, { kind: 'classic_pat', scopes: ['admin:org'], userIsAdmin: false }, 403, /the token user must be an org admin$/],
    ['classic manage_runners:enterprise, enterprise', ENT, { kind: 'classic_pat', scopes: ['manage_runners:enterprise'] }, 201, null],
    ['classic admin:enterprise, enterprise', ENT, { kind: 'classic_pat', scopes: ['admin:enterprise'] }, 201, null],
    ['classic admin:org, enterprise', ENT, { kind: 'classic_pat', scopes: ['admin:org'] }, 403, /"manage_runners:enterprise" \(or "admin:enterprise"\)/],
  ];

  it.each(rows.map((r): Row => [`${r[0]} -> ${r[3]}`, r[1], r[2], r[3], r[4]]))('%s', async (_name, scope, tokenSpec, status, message) => {
    const token = await gh.seedToken(tokenSpec);
    const credentials = { kind: tokenSpec.kind, token: token.value } as GitHubCredentials;
    const h = await connect(scope, credentials, scope.kind === 'repo' ? {} : { runnerGroup: '' });
    const attempt = (async () => mint(h, 'ekiden-mac-0-m', await h.client.runnerGroupId()))();
    if (status === 201) {
      expect((await attempt).runner.name).toBe('ekiden-mac-0-m');
      return;
    }
    const e = await failureOf(attempt);
    expect(e.status).toBe(status);
    expect(e.reason).toBe(status === 404 ? 'github_not_found' : 'github_permission');
    expect(e.message).toMatch(message!);
  });

  it('refuses a fine-grained token and an App on enterprise scope before any request', async () => {
    const token = await gh.seedToken({ kind: 'fine_grained_pat', permissions: { administration: 'write' } });
    await expect(connect(ENT, { kind: 'fine_grained_pat', token: token.value })).rejects.toMatchObject({ reason: 'config_invalid' });
    const app = await gh.seedApp({});
    await expect(connect(ENT, appCredentials(app))).rejects.toThrow(/You cannot authenticate using a GitHub App for runners at the enterprise level/);
    expect(await restLog()).toEqual([]);
  });

  it('rejects a bad token as github_auth with the fix', async () => {
    const h = await connect(REPO, { kind: 'classic_pat', token: 'ghp_doesnotexist000000000000000000000000' });
    const e = await failureOf(h.client.listRunners());
    expect(e.reason).toBe('github_auth');
    expect(e.message).toBe('GitHub credentials rejected: check the App id/private key or the token (Bad credentials)');
  });
});

describe('runner groups', () => {
  beforeEach(async () => {
    await gh.seedOrg({ login: 'acme' });
    await gh.seedRunnerGroup({ org: 'acme', name: 'macOS Pool' });
  });
  const pat = async () => ({ kind: 'classic_pat', token: (await gh.seedToken({ kind: 'classic_pat', scopes: ['admin:org'] })).value }) as const;

  it.each([
    ['MACOS pool', 3],
    ['', 1],
  ])('resolves %j case-insensitively (empty = the default group)', async (name, id) => {
    const h = await connect(ORG, await pat(), { runnerGroup: name });
    const groupId = await h.client.runnerGroupId();
    expect(groupId).toBe(id);
    expect((await mint(h, 'ekiden-mac-0-g', groupId)).runner.runner_group_id).toBe(id);
  });

  it('an unknown group is a config error naming runner.group', async () => {
    const h = await connect(ORG, await pat(), { runnerGroup: 'nope' });
    await expect(h.client.runnerGroupId()).rejects.toMatchObject({
      reason: 'config_invalid',
      message: 'runner.group "nope" does not exist in acme (groups: Default, macOS Pool)',
    });
  });
});

describe('generate-jitconfig never retries blindly (field-failures.md #24)', () => {
  let h: Harness;
  beforeEach(async () => {
    await gh.seedRepo({ owner: 'acme', name: 'widgets' });
    const token = await gh.seedToken({ kind: 'classic_pat', scopes: ['repo'] });
    h = await connect(REPO, { kind: 'classic_pat', token: token.value });
  });

  it('after a 500 that created the runner: one POST per name, the orphan deleted, the next name works', async () => {
    await gh.setFault('gh.jit_500_after_create', {}, { times: 1 });
    const e = await failureOf(mint(h, 'ekiden-mac-0-first'));
    expect(e.reason).toBe('github_5xx');
    expect(e.message).toMatch(/runner name ekiden-mac-0-first retired, mint again under a new name/);
    expect((await mint(h, 'ekiden-mac-0-second')).runner.name).toBe('ekiden-mac-0-second');

    const posts = (await restLog()).filter((r) => r.route === 'generate-jitconfig');
    expect(posts.map((r) => [(r.body as { name: string }).name, r.status])).toEqual([
      ['ekiden-mac-0-first', 500],
      ['ekiden-mac-0-second', 201],
    ]);
    expect(h.deletions).toEqual([{ id: expect.any(Number), name: 'ekiden-mac-0-first', reason: 'jit_orphan', status: 204 }]);
    expect((await gh.runners()).filter((r) => r.registration !== 'deleted').map((r) => r.name)).toEqual(['ekiden-mac-0-second']);
  });

  it('on 409 the idle leftover is deleted and jit_conflict is raised, without a second POST', async () => {
    await mint(h, 'ekiden-mac-0-dup');
    const e = await failureOf(mint(h, 'ekiden-mac-0-dup'));
    expect(e.reason).toBe('jit_conflict');
    expect(e.githubMessage).toBe('Already exists - A runner with the name ekiden-mac-0-dup already exists.');
    const log = await restLog();
    expect(log.filter((r) => r.route === 'generate-jitconfig').map((r) => r.status)).toEqual([201, 409]);
    expect(h.deletions.map((d) => [d.name, d.reason, d.status])).toEqual([['ekiden-mac-0-dup', 'jit_orphan', 204]]);
  });

  it('a timeout is treated like a lost answer: typed github_5xx, and still one POST for the name', async () => {
    await gh.setFault('gh.slow', { route: 'generate-jitconfig', ms: 800 });
    const token = (await gh.seedToken({ kind: 'classic_pat', scopes: ['repo'] })).value;
    const slow = await connect(REPO, { kind: 'classic_pat', token }, { jitTimeoutMs: 200 });
    const e = await failureOf(mint(slow, 'ekiden-mac-0-slow'));
    expect(e.reason).toBe('github_5xx');
    expect(e.status).toBeUndefined();
    expect(e.message).toMatch(/got no answer; runner name ekiden-mac-0-slow retired/);
    // The server finishes the abandoned POST later (the sweep removes that runner); it was sent once.
    const deadline = Date.now() + 5_000;
    let posts: Awaited<ReturnType<typeof restLog>> = [];
    while (posts.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      posts = (await restLog()).filter((r) => r.route === 'generate-jitconfig');
    }
    expect(posts.map((r) => (r.body as { name: string }).name)).toEqual(['ekiden-mac-0-slow']);
  });

  it('an empty 403 body is typed, not a crash', async () => {
    await gh.setFault('gh.empty_403', { route: 'generate-jitconfig' });
    const e = await failureOf(mint(h, 'ekiden-mac-0-e'));
    expect(e.reason).toBe('github_permission');
    expect(e.status).toBe(403);
    expect(e.githubMessage).toBe('');
    expect(e.message).toMatch(/empty 403/);
  });
});

describe('runner records', () => {
  let h: Harness;
  let token: string;
  beforeEach(async () => {
    await gh.seedRepo({ owner: 'acme', name: 'widgets' });
    token = (await gh.seedToken({ kind: 'classic_pat', scopes: ['repo'] })).value;
    h = await connect(REPO, { kind: 'classic_pat', token });
  });

  /** Acts as the runner in the VM: opens a session with the JIT credentials and takes a queued job. */
  async function takeJob(jitConfig: string, agentId: number): Promise<void> {
    const files = JSON.parse(Buffer.from(jitConfig, 'base64').toString()) as Record<string, string>;
    const creds = JSON.parse(Buffer.from(files['.credentials'], 'base64').toString()) as { Data: { fakeSecret: string } };
    const session = await fetch(`${gh.url}/_fake/runner/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agentId, secret: creds.Data.fakeSecret, version: '2.336.0', os: 'macos' }),
    }).then((r) => r.json() as Promise<{ sessionId: string }>);
    await gh.enqueueJob({ repo: 'acme/widgets', name: 'build', labels: LABELS, durationMs: 60_000, result: 'Succeeded' });
    const msg = await fetch(`${gh.url}/_fake/runner/message?sessionId=${session.sessionId}`).then((r) => r.json() as Promise<{ type: string }>);
    expect(msg.type).toBe('job');
  }

  it('get, find by name, delete: 204, then 404; a busy runner answers 422', async () => {
    const idle = await mint(h, 'ekiden-mac-0-idle');
    const busy = await mint(h, 'ekiden-mac-0-busy');
    expect(await h.client.getRunner(idle.runner.id)).toMatchObject({ name: 'ekiden-mac-0-idle', busy: false });
    expect((await h.client.findRunnerByName('ekiden-mac-0-busy'))?.id).toBe(busy.runner.id);
    expect(await h.client.findRunnerByName('ekiden-mac-0-none')).toBeNull();

    await takeJob(busy.encodedJitConfig, busy.runner.id);
    expect(await h.client.getRunner(busy.runner.id)).toMatchObject({ status: 'online', busy: true, version: '2.336.0' });

    expect(await h.client.deleteRunner(idle.runner.id, { reason: 'idle_ttl', name: 'ekiden-mac-0-idle' })).toBe('deleted');
    expect(await h.client.deleteRunner(idle.runner.id, { reason: 'teardown' })).toBe('not-found');
    expect(await h.client.deleteRunner(busy.runner.id, { reason: 'idle_ttl', name: 'ekiden-mac-0-busy' })).toBe('busy');
    expect(await h.client.getRunner(idle.runner.id)).toBeNull();
    expect(h.deletions.map((d) => [d.reason, d.status])).toEqual([
      ['idle_ttl', 204],
      ['teardown', 404],
      ['idle_ttl', 422],
    ]);
  });

  it("writes are spaced by GitHub's one second unless the client is told otherwise", async () => {
    const writeTimes = async (c: OctokitGitHubClient, names: string[]) => {
      const calls: number[] = [];
      for (const name of names) {
        await c.createJitRunner({ name, labels: LABELS, runnerGroupId: 1, workFolder: '_work' });
        calls.push(performance.now());
      }
      return calls.slice(1).map((t, i) => t - calls[i]);
    };
    const gaps = await writeTimes(h.client, ['ekiden-mac-0-w1', 'ekiden-mac-0-w2']);
    expect(gaps[0]).toBeGreaterThanOrEqual(990);
    const quick = await connect(REPO, { kind: 'classic_pat', token }, { transport: { writeSpacingMs: 50 } });
    const quickGaps = await writeTimes(quick.client, ['ekiden-mac-0-w3', 'ekiden-mac-0-w4', 'ekiden-mac-0-w5']);
    expect(Math.min(...quickGaps)).toBeGreaterThanOrEqual(45);
    expect(Math.max(...quickGaps)).toBeLessThan(900);
  });

  it('lists more than 100 runners across pages, filtered by name prefix', async () => {
    // Seed through the REST API directly (octokit would space writes one second apart).
    const post = (name: string) =>
      fetch(`${gh.apiUrl}/repos/acme/widgets/actions/runners/generate-jitconfig`, {
        method: 'POST',
        headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, runner_group_id: 1, labels: LABELS }),
      }).then((r) => expect(r.status).toBe(201));
    for (let i = 0; i < 105; i++) await post(`ekiden-mac-${i % 2}-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < 3; i++) await post(`other-host-${i}`);
    await gh.clearRequests();

    const ours = await h.client.listRunners({ namePrefix: 'ekiden-mac-' });
    expect(ours).toHaveLength(105);
    expect(new Set(ours.map((r) => r.id)).size).toBe(105);
    expect(await h.client.listRunners()).toHaveLength(108);
    const pages = (await restLog()).filter((r) => r.route === 'list-runners').map((r) => r.query.page);
    expect(pages).toEqual(['1', '2', '1', '2']);
  });

  it('retries an idempotent read after a 502', async () => {
    const r = await mint(h, 'ekiden-mac-0-r');
    await gh.setFault('gh.status', { route: 'get-runner', status: 502, times: 1 });
    expect((await h.client.getRunner(r.runner.id))?.name).toBe('ekiden-mac-0-r');
    expect((await restLog()).filter((x) => x.route === 'get-runner').map((x) => x.status)).toEqual([502, 200]);
  });

  it('mints a registration token (fallback path)', async () => {
    const t = await h.client.createRegistrationToken();
    expect(t.token).toMatch(/^[A-Z0-9]{29}$/);
    expect(Date.parse(t.expiresAt)).toBeGreaterThan(Date.now());
    expect(h.secrets).toContain(t.token);
  });
});

describe('rate limits (field-failures.md #37)', () => {
  beforeEach(async () => {
    await gh.seedRepo({ owner: 'acme', name: 'widgets' });
  });
  const pat = async () => ({ kind: 'classic_pat', token: (await gh.seedToken({ kind: 'classic_pat', scopes: ['repo'] })).value }) as const;

  it('a secondary limit waits retry-after (on the server clock), then retries once', async () => {
    const sleeps: number[] = [];
    const h = await connect(REPO, await pat(), { transport: { clock: serverClock(gh, sleeps) } });
    await gh.setFault('gh.rate_limit_secondary', { retryAfter: 30 });
    expect(await h.client.listRunners()).toEqual([]);
    expect(sleeps).toEqual([30_000]);
    const lists = (await restLog()).filter((r) => r.route === 'list-runners');
    expect(lists.map((r) => r.status)).toEqual([403, 200]);
    expect(Date.parse(lists[1].time) - Date.parse(lists[0].time)).toBeGreaterThanOrEqual(30_000);
    expect(h.logs.some((l) => l.level === 'warn' && /secondary rate limit.*waiting 30 s/.test(l.text))).toBe(true);
  });

  it('a primary limit whose reset is too far surfaces github_rate_limited with retryAt at the reset', async () => {
    await gh.setConfig({ rateLimit: { enabled: true, limit: 1, status: 429 } });
    const sleeps: number[] = [];
    const h = await connect(REPO, await pat(), { transport: { clock: serverClock(gh, sleeps) } });
    await h.client.listRunners();
    const before = Date.now();
    const e = await failureOf(h.client.listRunners());
    expect(e.reason).toBe('github_rate_limited');
    expect(e.status).toBe(429);
    expect(e.retryAt! - before).toBeGreaterThan(3_500_000);
    expect(sleeps).toEqual([]);
    expect(h.client.connection.state.lastRateLimit).toMatchObject({ remaining: 0, resource: 'core' });
  });

  it('a primary limit within the wait budget waits for the reset, then succeeds', async () => {
    await gh.setConfig({ rateLimit: { enabled: true, limit: 1 } });
    const sleeps: number[] = [];
    const h = await connect(REPO, await pat(), { transport: { clock: serverClock(gh, sleeps), maxRateLimitWaitMs: 2 * 3_600_000 } });
    await h.client.listRunners();
    expect(await h.client.listRunners()).toEqual([]);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(3_500_000);
    expect((await restLog()).filter((r) => r.route === 'list-runners').map((r) => r.status)).toEqual([200, 403, 200]);
  });
});

describe('GHES', () => {
  let ghes: FakeGitHub;
  beforeAll(async () => {
    ghes = await startFakeGitHub({ mode: 'ghes' });
  });
  afterAll(async () => {
    await ghes?.close();
  });

  it('derives /api/v3 from the server URL and sends every call under it', async () => {
    await ghes.seedRepo({ owner: 'acme', name: 'widgets' });
    const token = await ghes.seedToken({ kind: 'classic_pat', scopes: ['repo'] });
    const client = await createGitHubClient({ serverUrl: ghes.url, scope: REPO, credentials: { kind: 'classic_pat', token: token.value } });
    expect(client.connection.endpoints).toEqual({ apiUrl: `${ghes.url}/api/v3`, webUrl: ghes.url, ghes: true });
    expect(client.runnerUrl).toBe(`${ghes.url}/acme/widgets`);
    const jit = await client.createJitRunner({ name: 'ekiden-mac-0-ghes', labels: LABELS, runnerGroupId: 1, workFolder: '_work' });
    expect(await client.listRunners({ namePrefix: 'ekiden-' })).toHaveLength(1);
    expect(await client.deleteRunner(jit.runner.id)).toBe('deleted');
    const log = (await ghes.requests()).filter((r) => !r.path.startsWith('/_fake'));
    expect(log.length).toBe(3);
    expect(log.every((r) => r.path.startsWith('/api/v3/repos/acme/widgets/actions/runners') && r.status < 300)).toBe(true);
  });

  it('a 404 from generate-jitconfig on GHES means "fall back to a registration token" (#26)', async () => {
    await ghes.reset();
    await ghes.seedRepo({ owner: 'acme', name: 'widgets' });
    const token = await ghes.seedToken({ kind: 'classic_pat', scopes: ['repo'] });
    const client = await createGitHubClient({ serverUrl: ghes.url, scope: REPO, credentials: { kind: 'classic_pat', token: token.value } });
    await ghes.setFault('gh.status', { route: 'generate-jitconfig', status: 404, times: 1 });
    const e = await failureOf(client.createJitRunner({ name: 'ekiden-mac-0-fb', labels: LABELS, runnerGroupId: 1, workFolder: '_work' }));
    expect(isJitUnavailable(e, client)).toBe(true);
    expect((await client.createRegistrationToken()).token).toMatch(/^[A-Z0-9]{29}$/);
  });
});

describe('access check (ekiden doctor, "Test connection")', () => {
  const byCheck = (rows: AccessCheck[]) => Object.fromEntries(rows.map((r) => [r.check, r]));

  it('an App with everything in place: ok rows, and a warning for a group that allows public repos (#58)', async () => {
    const { app } = await seedApp();
    const rows = await checkGitHubAccess({ apiUrl: gh.apiUrl, scope: ORG, credentials: appCredentials(app) });
    const c = byCheck(rows);
    expect(rows.every((r) => r.id === 'github_auth')).toBe(true);
    expect(c.credentials.status).toBe('ok');
    expect(c.installation).toMatchObject({ status: 'ok' });
    expect(c.scope.status).toBe('ok');
    expect(c.runner_group).toMatchObject({ status: 'ok', message: 'Runner group Default' });
    expect(c.public_repos).toMatchObject({ status: 'warn', message: 'Runner group Default allows public repositories' });
    expect(c.clock_skew.status).toBe('ok');
  });

  it('no installation: fails with "App not installed on <org>" and touches no runner route (#22)', async () => {
    await gh.seedOrg({ login: 'acme' });
    const app = await gh.seedApp({});
    const rows = await checkGitHubAccess({ apiUrl: gh.apiUrl, scope: ORG, credentials: appCredentials(app) });
    expect(byCheck(rows).installation).toMatchObject({ status: 'fail', message: expect.stringMatching(/^GitHub App not installed on acme/) });
    expect((await restLog()).some((r) => r.path.includes('/actions/'))).toBe(false);
  });

  it('an App without the runner permission fails naming it', async () => {
    const { app } = await seedApp('acme', { metadata: 'read', administration: 'write' });
    const rows = await checkGitHubAccess({ apiUrl: gh.apiUrl, scope: ORG, credentials: appCredentials(app) });
    expect(byCheck(rows).permissions).toMatchObject({ status: 'fail', message: expect.stringMatching(/organization_self_hosted_runners=none/) });
  });

  it('an App on enterprise scope is explained, not attempted (#25)', async () => {
    const app = await gh.seedApp({});
    const rows = await checkGitHubAccess({ apiUrl: gh.apiUrl, scope: ENT, credentials: appCredentials(app) });
    expect(rows).toEqual([
      expect.objectContaining({ check: 'config', status: 'fail', message: expect.stringMatching(/^You cannot authenticate using a GitHub App for runners at the enterprise level/) }),
    ]);
    expect(await restLog()).toEqual([]);
  });

  type DoctorRow = [string, Parameters<FakeGitHub['seedToken']>[0] & { kind: 'classic_pat' | 'fine_grained_pat' }, AccessCheck['check'], RegExp];
  it.each<DoctorRow>([
    ['classic token without admin:org', { kind: 'classic_pat', scopes: ['repo'] }, 'permissions', /lacks the scope admin:org: the classic token needs the "admin:org" scope/],
    ['fine-grained token whose user is not an org admin', { kind: 'fine_grained_pat', permissions: { organization_self_hosted_runners: 'write' }, userIsAdmin: false }, 'permissions', /the token user must be an org admin/],
    ['fine-grained token with read only', { kind: 'fine_grained_pat', permissions: { organization_self_hosted_runners: 'read' } }, 'permissions', /Self-hosted runners: Read and write/],
  ])('%s fails with the fix', async (_name, spec, check, message) => {
    await gh.seedOrg({ login: 'acme' });
    const token = await gh.seedToken(spec);
    const rows = await checkGitHubAccess({ apiUrl: gh.apiUrl, scope: ORG, credentials: { kind: spec.kind, token: token.value } });
    expect(byCheck(rows)[check]).toMatchObject({ status: 'fail', message: expect.stringMatching(message) });
  });

  it('an unknown runner group fails the group row', async () => {
    await gh.seedOrg({ login: 'acme' });
    const token = await gh.seedToken({ kind: 'classic_pat', scopes: ['admin:org'] });
    const rows = await checkGitHubAccess({ apiUrl: gh.apiUrl, scope: ORG, runnerGroup: 'nope', credentials: { kind: 'classic_pat', token: token.value } });
    expect(byCheck(rows).runner_group).toMatchObject({ status: 'fail', message: expect.stringMatching(/runner.group "nope" does not exist/) });
  });

  it('warns when the host clock is off by more than 30 s (#36)', async () => {
    await gh.seedRepo({ owner: 'acme', name: 'widgets', private: true });
    await gh.setFault('gh.clock_skew', { s: 90 });
    const token = await gh.seedToken({ kind: 'classic_pat', scopes: ['repo'] });
    const rows = await checkGitHubAccess({ apiUrl: gh.apiUrl, scope: REPO, credentials: { kind: 'classic_pat', token: token.value } });
    expect(byCheck(rows).clock_skew).toMatchObject({ status: 'warn', message: expect.stringMatching(/differs from GitHub's by (89|90|91) s/) });
  });
});
