// The runner channel of github.md §9.6 at the wire level: sessions and their refusals, long polls,
// routing of queued jobs, cancel, completion, and workflow_job webhooks (§7).
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RepoWorld, raw, seedRepoWorld, until } from './github-harness';

let w: RepoWorld;

beforeEach(async () => {
  // 50 s long polls last 50 ms at this scale.
  w = await seedRepoWorld({ timeScale: 0.001 });
});

afterEach(async () => {
  await w.gh.close();
});

interface Registered {
  id: number;
  secret: string;
}

async function jitRunner(name: string, labels: string[], scope = '/repos/acme/app', groupId = 1): Promise<Registered> {
  const r = await raw(w.gh.apiUrl, 'POST', `${scope}/actions/runners/generate-jitconfig`, {
    auth: `token ${w.fineGrained}`,
    body: { name, runner_group_id: groupId, labels },
  });
  expect(r.status).toBe(201);
  const { runner, encoded_jit_config } = r.json as { runner: { id: number }; encoded_jit_config: string };
  const creds = JSON.parse(Buffer.from(JSON.parse(Buffer.from(encoded_jit_config, 'base64').toString())['.credentials'], 'base64').toString());
  return { id: runner.id, secret: creds.Data.fakeSecret };
}

const session = (r: Registered, version = '2.336.0') =>
  raw(w.gh.url, 'POST', '/_fake/runner/session', { body: { agentId: String(r.id), secret: r.secret, version, os: 'macos' } });

async function connect(r: Registered): Promise<string> {
  const s = await session(r);
  expect(s.status).toBe(201);
  return (s.json as { sessionId: string }).sessionId;
}

const poll = (sessionId: string) => raw(w.gh.url, 'GET', `/_fake/runner/message?sessionId=${sessionId}`);

describe('sessions', () => {
  it('a session brings the runner online with its version; the time scale header is on every answer', async () => {
    const r = await jitRunner('s1', ['self-hosted']);
    const s = await session(r);
    expect(s.status).toBe(201);
    expect(s.headers.get('x-fake-time-scale')).toBe('0.001');
    const got = await raw(w.gh.apiUrl, 'GET', `/repos/acme/app/actions/runners/${r.id}`, { auth: `token ${w.fineGrained}` });
    expect(got.json).toMatchObject({ status: 'online', busy: false, version: '2.336.0', os: 'macos' });
    const idle = await poll((s.json as { sessionId: string }).sessionId);
    expect([idle.status, idle.text]).toEqual([202, '']);
    await raw(w.gh.url, 'DELETE', `/_fake/runner/session/${(s.json as { sessionId: string }).sessionId}`);
    expect((await w.gh.runners()).find((x) => x.id === r.id)?.status).toBe('offline');
  });

  it.each([
    ['a wrong secret', async (r: Registered) => raw(w.gh.url, 'POST', '/_fake/runner/session', { body: { agentId: String(r.id), secret: 'nope', version: '2.336.0', os: 'macos' } }), 401, { error: 'invalid_client' }],
    [
      'a deleted registration',
      async (r: Registered) => {
        await raw(w.gh.apiUrl, 'DELETE', `/repos/acme/app/actions/runners/${r.id}`, { auth: `token ${w.fineGrained}` });
        return session(r);
      },
      401,
      { error: 'invalid_client' },
    ],
    [
      'a record removed server-side (variant C)',
      async (r: Registered) => {
        await w.gh.deleteRunnerServerSide(r.id);
        return session(r);
      },
      404,
      { error: 'runner_not_found' },
    ],
    [
      'a second session while the first lives',
      async (r: Registered) => {
        await connect(r);
        return session(r);
      },
      409,
      { error: 'session_conflict', message: 'A session for this runner already exists.' },
    ],
    [
      'a version below the minimum',
      async (r: Registered) => {
        await w.gh.setConfig({ minRunnerVersion: '2.400.0' });
        return session(r, '2.336.0');
      },
      403,
      { error: 'version_deprecated', message: 'Runner version v2.336.0 is deprecated and cannot receive messages.' },
    ],
    [
      'an outage (runner.connect_error)',
      async (r: Registered) => {
        await w.gh.setFault('runner.connect_error', { s: 3600, message: 'Temporary failure in name resolution' });
        return session(r);
      },
      503,
      { error: 'unavailable', message: 'Temporary failure in name resolution' },
    ],
  ] as const)('refuses %s', async (_name, act, status, body) => {
    const r = await jitRunner('refused', ['self-hosted']);
    const reply = await act(r);
    expect([reply.status, reply.json]).toEqual([status, body]);
  });

  it('a deleted idle runner is told on its waiting poll: 404 (A) or 403 access_denied (B)', async () => {
    const a = await jitRunner('del-a', ['self-hosted']);
    const sa = await connect(a);
    const waiting = poll(sa);
    await raw(w.gh.apiUrl, 'DELETE', `/repos/acme/app/actions/runners/${a.id}`, { auth: `token ${w.fineGrained}` });
    expect((await waiting).json).toEqual({ error: 'runner_not_found' });

    await w.gh.setFault('runner.delete_variant_b');
    const b = await jitRunner('del-b', ['self-hosted']);
    const sb = await connect(b);
    await raw(w.gh.apiUrl, 'DELETE', `/repos/acme/app/actions/runners/${b.id}`, { auth: `token ${w.fineGrained}` });
    const told = await poll(sb);
    expect(told.status).toBe(403);
    expect(told.json).toMatchObject({ error: 'access_denied', message: expect.stringContaining('Access denied') });
  });
});

describe('routing', () => {
  it('a job goes to an idle online runner whose labels cover it (case-insensitive), oldest first', async () => {
    const small = await jitRunner('small', ['self-hosted', 'macOS']);
    const big1 = await jitRunner('big1', ['self-hosted', 'macOS', 'ARM64', 'xl']);
    const big2 = await jitRunner('big2', ['self-hosted', 'macOS', 'ARM64', 'xl']);
    const offline = await jitRunner('big0-offline', ['self-hosted', 'macOS', 'ARM64', 'xl']);
    expect(offline.id).toBeGreaterThan(0);
    const [s1, s2, s3] = [await connect(small), await connect(big1), await connect(big2)];
    const job = await w.gh.enqueueJob({ repo: 'acme/app', name: 'needs xl', labels: ['macos', 'XL'], durationMs: 5000, result: 'Failed' });
    expect((await poll(s1)).status).toBe(202);
    const got = await poll(s2);
    const { run_id: runId } = await w.gh.job(job.id);
    expect(got.json).toEqual({
      type: 'job',
      job: { id: job.id, displayName: 'needs xl', durationMs: 5000, result: 'Failed', repository: 'acme/app', runId, serverUrl: w.gh.url },
    });
    expect((await poll(s3)).status).toBe(202);
    expect(await w.gh.job(job.id)).toMatchObject({ status: 'in_progress', runner_id: big1.id, runner_name: 'big1' });
    const done = await raw(w.gh.url, 'POST', '/_fake/runner/complete', { body: { sessionId: s2, jobId: job.id, result: 'Failed' } });
    expect(done.status).toBe(200);
    expect(await w.gh.job(job.id)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    const used = (await w.gh.runners()).find((r) => r.id === big1.id);
    expect(used).toMatchObject({ busy: false, registration: 'used' });
  });

  it('repo runners are preferred over org runners; org runners need a group that admits the repo', async () => {
    await w.gh.seedRunnerGroup({ org: 'acme', name: 'elsewhere', visibility: 'selected', selectedRepos: ['other-repo'] });
    const groups = await raw(w.gh.apiUrl, 'GET', '/orgs/acme/actions/runner-groups', { auth: `token ${w.fineGrained}` });
    const elsewhere = (groups.json as { runner_groups: { id: number; name: string }[] }).runner_groups.find((g) => g.name === 'elsewhere')!;
    const orgExcluded = await jitRunner('org-excluded', ['self-hosted'], '/orgs/acme', elsewhere.id);
    const orgRunner = await jitRunner('org-default', ['self-hosted'], '/orgs/acme');
    const repoRunner = await jitRunner('repo-runner', ['self-hosted']);
    const [sx, so, sr] = [await connect(orgExcluded), await connect(orgRunner), await connect(repoRunner)];
    const first = await w.gh.enqueueJob({ repo: 'acme/app', name: 'one', labels: ['self-hosted'] });
    expect((await poll(sr)).json).toMatchObject({ type: 'job', job: { id: first.id } });
    const second = await w.gh.enqueueJob({ repo: 'acme/app', name: 'two', labels: ['self-hosted'] });
    expect((await poll(sx)).status).toBe(202);
    expect((await poll(so)).json).toMatchObject({ type: 'job', job: { id: second.id } });
  });

  it('runner.never_assigned(agentName) keeps that runner from ever getting a job', async () => {
    await w.gh.setFault('runner.never_assigned', { agentName: 'cursed' });
    const cursed = await jitRunner('cursed', ['self-hosted']);
    const sc = await connect(cursed);
    const job = await w.gh.enqueueJob({ repo: 'acme/app', name: 'waiting', labels: ['self-hosted'] });
    expect((await poll(sc)).status).toBe(202);
    const healthy = await jitRunner('healthy', ['self-hosted']);
    expect((await poll(await connect(healthy))).json).toMatchObject({ type: 'job', job: { id: job.id } });
  });

  it('a cancel reaches the busy runner on its poll; a cancelled queued job just ends', async () => {
    const r = await jitRunner('canceller', ['self-hosted']);
    const s = await connect(r);
    const job = await w.gh.enqueueJob({ repo: 'acme/app', name: 'long', labels: ['self-hosted'] });
    await poll(s);
    const pending = poll(s);
    await w.gh.cancelJob(job.id);
    expect((await pending).json).toEqual({ type: 'cancel', jobId: job.id });
    const queued = await w.gh.enqueueJob({ repo: 'acme/app', name: 'nobody', labels: ['no-such-label'] });
    expect(await w.gh.cancelJob(queued.id)).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
  });

  it('a runner that stops talking goes offline and its job fails', async () => {
    const r = await jitRunner('vanishing', ['self-hosted']);
    const s = await connect(r);
    const job = await w.gh.enqueueJob({ repo: 'acme/app', name: 'lost', labels: ['self-hosted'] });
    await poll(s);
    await until('offline', async () => (await w.gh.runners()).find((x) => x.id === r.id)?.status === 'offline', 5000);
    expect(await w.gh.job(job.id)).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });
});

describe('registration-token flow (fake config.sh wire)', () => {
  it('runner-registration hands an admin token; register adds default labels; duplicates need replace', async () => {
    const t = (await raw(w.gh.apiUrl, 'POST', '/repos/acme/app/actions/runners/registration-token', { auth: `token ${w.fineGrained}` })).json as { token: string };
    const reg = await raw(w.gh.url, 'POST', '/api/v3/actions/runner-registration', { auth: `RemoteAuth ${t.token}`, body: { url: `${w.gh.url}/acme/app`, runner_event: 'register' } });
    const admin = (reg.json as { token: string }).token;
    const body = { adminToken: admin, name: 'cfg', labels: ['extra'], ephemeral: true, replace: false, disableUpdate: false, noDefaultLabels: false, workFolder: '_work' };
    const first = await raw(w.gh.url, 'POST', '/_fake/runner/register', { body });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ poolId: '1', replaced: false });
    expect((await w.gh.runners())[0].labels).toEqual(['self-hosted', 'macOS', 'ARM64', 'extra']);
    expect((await raw(w.gh.url, 'POST', '/_fake/runner/register', { body })).json).toEqual({ error: 'exists' });
    const replaced = await raw(w.gh.url, 'POST', '/_fake/runner/register', { body: { ...body, replace: true, noDefaultLabels: true } });
    expect(replaced.json).toMatchObject({ agentId: (first.json as { agentId: string }).agentId, replaced: true });
    expect((await w.gh.runners())[0].labels).toEqual(['extra']);
    const noGroup = await raw(w.gh.url, 'POST', '/_fake/runner/register', { body: { ...body, name: 'g', runnerGroup: 'nope' } });
    expect([noGroup.status, noGroup.json]).toEqual([404, { error: 'group_not_found' }]);
  });
});

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A local webhook receiver; `run` gets its URL and the deliveries so far. */
async function withReceiver(run: (url: string, got: Received[]) => Promise<void>): Promise<void> {
  const got: Received[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  try {
    await run(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, got);
  } finally {
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  }
}

describe('workflow_job webhooks', () => {
  it('queued, in_progress and completed deliveries are signed with X-Hub-Signature-256', async () => {
    await withReceiver(async (url, got) => {
      await w.gh.setWebhooks({ url, secret: 's3cret' });
      const r = await jitRunner('hooked', ['self-hosted']);
      const s = await connect(r);
      const job = await w.gh.enqueueJob({ repo: 'acme/app', name: 'hooked job', labels: ['self-hosted'] });
      await poll(s);
      await raw(w.gh.url, 'POST', '/_fake/runner/complete', { body: { sessionId: s, jobId: job.id, result: 'Canceled' } });
      await until('3 deliveries', async () => got.length === 3);
      const byAction = Object.fromEntries(got.map((g) => [JSON.parse(g.body).action, g]));
      expect(Object.keys(byAction).sort()).toEqual(['completed', 'in_progress', 'queued']);
      for (const g of got) {
        expect(g.headers['x-github-event']).toBe('workflow_job');
        expect(g.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 's3cret').update(g.body).digest('hex')}`);
      }
      expect(JSON.parse(byAction.in_progress.body).workflow_job).toMatchObject({ id: job.id, status: 'in_progress', runner_name: 'hooked', runner_group_name: 'Default' });
      expect(JSON.parse(byAction.completed.body).workflow_job).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    });
  });

  it('drop and duplicate: a dropped delivery never arrives; a duplicate keeps its X-GitHub-Delivery', async () => {
    await withReceiver(async (url, got) => {
      await w.gh.setWebhooks({ url, secret: 'x', duplicate: true });
      await w.gh.enqueueJob({ repo: 'acme/app', name: 'twice', labels: ['none'] });
      await until('2 copies', async () => got.length === 2);
      expect(got[0].headers['x-github-delivery']).toBe(got[1].headers['x-github-delivery']);
      await w.gh.setWebhooks({ url, secret: 'x', drop: true });
      await w.gh.enqueueJob({ repo: 'acme/app', name: 'lost', labels: ['none'] });
      await new Promise((r) => setTimeout(r, 200));
      expect(got).toHaveLength(2);
    });
  });
});
