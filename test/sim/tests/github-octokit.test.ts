// The fake GitHub speaks well enough for the real clients: @octokit/rest with @octokit/auth-app
// (App JWT -> installation lookup -> installation token -> generate-jitconfig -> list/get/delete),
// auth-app's clock-skew and replication retries, token formats, and ghes mode.
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeGitHub } from '../github/index';
import { type World, errorBody, raw, seedWorld } from './github-harness';

let w: World | undefined;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

afterEach(async () => {
  await w?.gh.close();
  w = undefined;
});

function appOctokit(world: World, log = { ...silent, warn: vi.fn() }) {
  const octokit = new Octokit({
    baseUrl: world.gh.apiUrl,
    authStrategy: createAppAuth,
    auth: { appId: world.app.appId, privateKey: world.app.privateKeyPem },
    log,
  });
  return { octokit, log };
}

function decodeJit(encoded: string): Record<string, Record<string, unknown>> {
  const outer = JSON.parse(Buffer.from(encoded, 'base64').toString()) as Record<string, string>;
  return Object.fromEntries(Object.entries(outer).map(([k, v]) => [k, JSON.parse(Buffer.from(v, 'base64').toString())]));
}

describe('octokit against the fake', () => {
  it('App auth -> installation (login case-insensitive) -> installation token -> JIT -> list, get, delete', async () => {
    w = await seedWorld();
    const { octokit } = appOctokit(w);
    const app = await octokit.rest.apps.getAuthenticated();
    expect(app.data).toMatchObject({ id: w.app.appId, client_id: w.app.clientId });

    // The installation account is "Acme"; Ekiden's config says "acme".
    const inst = await octokit.rest.apps.getOrgInstallation({ org: 'acme' });
    expect(inst.data).toMatchObject({ id: w.installationId, app_id: w.app.appId, target_type: 'Organization', account: { login: 'Acme' } });
    expect(inst.data.access_tokens_url).toBe(`${w.gh.apiUrl}/app/installations/${w.installationId}/access_tokens`);
    const repoInst = await octokit.rest.apps.getRepoInstallation({ owner: 'ACME', repo: 'App' });
    expect(repoInst.data.id).toBe(w.installationId);

    const installation = new Octokit({
      baseUrl: w.gh.apiUrl,
      authStrategy: createAppAuth,
      auth: { appId: w.app.appId, privateKey: w.app.privateKeyPem, installationId: inst.data.id },
      log: silent,
    });
    const auth = (await installation.auth({ type: 'installation' })) as { token: string; expiresAt: string };
    expect(auth.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    expect(Date.parse(auth.expiresAt) - Date.now()).toBeGreaterThan(3500_000);

    const jit = await installation.rest.actions.generateRunnerJitconfigForRepo({
      owner: 'acme',
      repo: 'app',
      name: 'ekiden-host-0-abc',
      runner_group_id: 1,
      labels: ['self-hosted', 'macOS', 'ARM64', 'xl'],
      work_folder: '_work',
      request: { retries: 0 },
    });
    expect(jit.status).toBe(201);
    expect(jit.data.runner).toEqual({
      id: jit.data.runner.id,
      name: 'ekiden-host-0-abc',
      os: 'unknown',
      status: 'offline',
      busy: false,
      ephemeral: true,
      runner_group_id: 1,
      version: null,
      labels: [
        { id: expect.any(Number), name: 'self-hosted', type: 'read-only' },
        { id: expect.any(Number), name: 'macOS', type: 'read-only' },
        { id: expect.any(Number), name: 'ARM64', type: 'read-only' },
        { id: expect.any(Number), name: 'xl', type: 'custom' },
      ],
    });
    const files = decodeJit(jit.data.encoded_jit_config);
    expect(Object.keys(files)).toEqual(['.runner', '.credentials', '.credentials_rsaparams']);
    expect(files['.runner']).toEqual({
      AgentId: String(jit.data.runner.id),
      AgentName: 'ekiden-host-0-abc',
      PoolId: '1',
      PoolName: null,
      ServerUrl: `${w.gh.url}/_fake/actions/`,
      GitHubUrl: `${w.gh.url}/acme/app`,
      WorkFolder: '_work',
      Ephemeral: true,
      DisableUpdate: false,
    });
    expect(files['.credentials']).toMatchObject({ Scheme: 'OAuth', Data: { authorizationUrl: `${w.gh.url}/_fake/runner/token`, requireFipsCryptography: 'False' } });

    const all = await installation.paginate(installation.rest.actions.listSelfHostedRunnersForRepo, { owner: 'acme', repo: 'app', per_page: 100 });
    expect(all.map((r) => r.name)).toEqual(['ekiden-host-0-abc']);
    const got = await installation.rest.actions.getSelfHostedRunnerForRepo({ owner: 'acme', repo: 'app', runner_id: jit.data.runner.id });
    expect(got.data.status).toBe('offline');
    const del = await installation.rest.actions.deleteSelfHostedRunnerFromRepo({ owner: 'acme', repo: 'app', runner_id: jit.data.runner.id });
    expect(del.status).toBe(204);
    await expect(installation.rest.actions.getSelfHostedRunnerForRepo({ owner: 'acme', repo: 'app', runner_id: jit.data.runner.id })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('a 409 surfaces as a RequestError with GitHub message composition', async () => {
    w = await seedWorld();
    const octokit = new Octokit({ baseUrl: w.gh.apiUrl, auth: w.fineGrained, log: silent });
    const args = { owner: 'acme', repo: 'app', name: 'twice', runner_group_id: 1, labels: ['self-hosted'], request: { retries: 0 } };
    await octokit.rest.actions.generateRunnerJitconfigForRepo(args);
    const err = await octokit.rest.actions.generateRunnerJitconfigForRepo(args).catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 409,
      message: 'Already exists - A runner with the name twice already exists. - https://docs.github.com/rest',
      response: { data: errorBody(409, 'Already exists - A runner with the name twice already exists.') },
    });
  });

  it('auth-app corrects a server clock 120 s behind (gh.clock_skew) from the Date header and retries once', async () => {
    w = await seedWorld();
    await w.gh.setFault('gh.clock_skew', { s: -120 });
    const { octokit, log } = appOctokit(w);
    const inst = await octokit.rest.apps.getOrgInstallation({ org: 'acme' });
    expect(inst.status).toBe(200);
    expect(log.warn).toHaveBeenCalledWith("'Expiration time' claim ('exp') is too far in the future - https://docs.github.com/rest");
    expect(log.warn.mock.calls.some(([m]) => /GitHub API time and system time are different by -1[12]\d seconds/.test(String(m)))).toBe(true);
    const statuses = (await w.gh.requests()).filter((r) => r.route === 'installation').map((r) => r.status);
    expect(statuses).toEqual([401, 200]);
  });

  it('auth-app retries a fresh installation token through the replication delay (gh.token_replication)', async () => {
    w = await seedWorld();
    await w.gh.setFault('gh.token_replication', { ms: 800 });
    const octokit = new Octokit({
      baseUrl: w.gh.apiUrl,
      authStrategy: createAppAuth,
      auth: { appId: w.app.appId, privateKey: w.app.privateKeyPem, installationId: w.installationId },
      log: silent,
    });
    const r = await octokit.rest.actions.listSelfHostedRunnersForRepo({ owner: 'acme', repo: 'app' });
    expect(r.status).toBe(200);
    const statuses = (await w.gh.requests()).filter((x) => x.route === 'list-runners').map((x) => x.status);
    expect(statuses).toEqual([401, 200]);
  });

  it('stateless installation tokens (ghs_<appid>_<jwt-like>, ~520 chars) work, and a revoked token is dead', async () => {
    w = await seedWorld();
    await w.gh.setConfig({ tokenFormat: 'stateless' });
    const installation = new Octokit({
      baseUrl: w.gh.apiUrl,
      authStrategy: createAppAuth,
      auth: { appId: w.app.appId, privateKey: w.app.privateKeyPem, installationId: w.installationId },
      log: silent,
    });
    const { token } = (await installation.auth({ type: 'installation' })) as { token: string };
    expect(token.startsWith(`ghs_${w.app.appId}_`)).toBe(true);
    expect(token.length).toBeGreaterThan(480);
    expect(token.length).toBeLessThan(600);
    const plain = new Octokit({ baseUrl: w.gh.apiUrl, auth: token, log: silent });
    expect((await plain.rest.actions.listSelfHostedRunnersForRepo({ owner: 'acme', repo: 'app' })).status).toBe(200);
    expect((await plain.request('DELETE /installation/token')).status).toBe(204);
    await expect(plain.rest.actions.listSelfHostedRunnersForRepo({ owner: 'acme', repo: 'app' })).rejects.toMatchObject({ status: 401 });
  });

  it('an installation token expires after an hour of server clock', async () => {
    w = await seedWorld();
    const plain = new Octokit({ baseUrl: w.gh.apiUrl, auth: w.instToken, log: silent });
    expect((await plain.rest.actions.listSelfHostedRunnersForRepo({ owner: 'acme', repo: 'app' })).status).toBe(200);
    await w.gh.advanceClock(3601);
    await expect(plain.rest.actions.listSelfHostedRunnersForRepo({ owner: 'acme', repo: 'app' })).rejects.toMatchObject({ status: 401 });
  });

  it('access tokens can be narrowed; asking for more than the installation has is 422', async () => {
    w = await seedWorld();
    const { octokit } = appOctokit(w);
    const narrowed = await octokit.rest.apps.createInstallationAccessToken({
      installation_id: w.installationId,
      repositories: ['app'],
      permissions: { administration: 'read' },
    });
    expect(narrowed.data).toMatchObject({ repository_selection: 'selected', permissions: { administration: 'read' }, repositories: [{ full_name: 'acme/app' }] });
    const ro = new Octokit({ baseUrl: w.gh.apiUrl, auth: narrowed.data.token, log: silent });
    await expect(ro.rest.actions.createRegistrationTokenForRepo({ owner: 'acme', repo: 'app' })).rejects.toMatchObject({ status: 403 });
    await expect(
      octokit.rest.apps.createInstallationAccessToken({ installation_id: w.installationId, permissions: { workflows: 'write' } }),
    ).rejects.toMatchObject({ status: 422 });
  });
});

describe('ghes mode', () => {
  it('serves REST only under /api/v3 and octokit works with that baseUrl', async () => {
    const gh = await startFakeGitHub({ mode: 'ghes' });
    try {
      expect(gh.apiUrl).toBe(`${gh.url}/api/v3`);
      await gh.seedRepo({ owner: 'corp', name: 'svc' });
      const pat = await gh.seedToken({ kind: 'classic_pat', scopes: ['repo'] });
      const rootPath = await raw(gh.url, 'GET', '/repos/corp/svc/actions/runners', { auth: `token ${pat.value}` });
      expect([rootPath.status, rootPath.json]).toEqual([404, errorBody(404, 'Not Found')]);
      const octokit = new Octokit({ baseUrl: gh.apiUrl, auth: pat.value, log: silent });
      const reg = await octokit.rest.actions.createRegistrationTokenForRepo({ owner: 'corp', repo: 'svc' });
      expect(reg.status).toBe(201);
      const jit = await octokit.rest.actions.generateRunnerJitconfigForRepo({ owner: 'corp', repo: 'svc', name: 'g', runner_group_id: 1, labels: ['self-hosted'] });
      expect(decodeJit(jit.data.encoded_jit_config)['.runner']).toMatchObject({ ServerUrl: `${gh.url}/_fake/actions/`, GitHubUrl: `${gh.url}/corp/svc` });
      const listed = await raw(gh.apiUrl, 'GET', '/repos/corp/svc/actions/runners?per_page=1', { auth: `token ${pat.value}` });
      expect(listed.status).toBe(200);
    } finally {
      await gh.close();
    }
  });
});
