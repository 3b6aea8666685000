// Server-side gh.* faults of github.md §9 and field-failures.md #24, #30, #36, #37.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type World, errorBody, raw, seedWorld, until } from './github-harness';

let w: World;
const RUNNERS = '/repos/acme/app/actions/runners';
const JIT = `${RUNNERS}/generate-jitconfig`;
const auth = () => `token ${w.fineGrained}`;

beforeEach(async () => {
  w = await seedWorld({ timeScale: 0.01 });
});

afterEach(async () => {
  await w.gh.close();
});

describe('gh.* faults', () => {
  it.each([
    [500, 'Server Error'],
    [502, 'Bad Gateway'],
    [503, 'Service Unavailable'],
    [404, 'Not Found'],
  ])('gh.status(route, %i, times 2) answers with the standard body before acting, then recovers', async (status, message) => {
    await w.gh.setFault('gh.status', { route: 'registration-token', status, times: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await raw(w.gh.apiUrl, 'POST', `${RUNNERS}/registration-token`, { auth: auth() });
      expect([r.status, r.json]).toEqual([status, errorBody(status, message)]);
    }
    expect((await raw(w.gh.apiUrl, 'POST', `${RUNNERS}/registration-token`, { auth: auth() })).status).toBe(201);
    // Other routes were never affected.
    expect((await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: auth() })).status).toBe(200);
  });

  it('gh.slow(route, ms) delays that route only', async () => {
    await w.gh.setFault('gh.slow', { route: 'list-runners', ms: 300 });
    const t0 = Date.now();
    await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: auth() });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    const t1 = Date.now();
    await raw(w.gh.apiUrl, 'GET', `${RUNNERS}/downloads`, { auth: auth() });
    expect(Date.now() - t1).toBeLessThan(250);
  });

  it('gh.empty_403(generate-jitconfig) answers 403 with an empty body', async () => {
    await w.gh.setFault('gh.empty_403', { route: 'generate-jitconfig' });
    const r = await raw(w.gh.apiUrl, 'POST', JIT, { auth: auth(), body: { name: 'x', runner_group_id: 1, labels: ['self-hosted'] } });
    expect(r.status).toBe(403);
    expect(r.text).toBe('');
  });

  it('gh.jit_500_after_create creates the runner, answers 500, and the log shows one POST', async () => {
    await w.gh.setFault('gh.jit_500_after_create', {}, { times: 1 });
    const r = await raw(w.gh.apiUrl, 'POST', JIT, { auth: auth(), body: { name: 'orphan', runner_group_id: 1, labels: ['self-hosted'] } });
    expect([r.status, r.json]).toEqual([500, errorBody(500, 'Server Error')]);
    const listed = await raw(w.gh.apiUrl, 'GET', `${RUNNERS}?name=orphan`, { auth: auth() });
    expect(listed.json).toMatchObject({ total_count: 1, runners: [{ name: 'orphan', status: 'offline', busy: false }] });
    const retry = await raw(w.gh.apiUrl, 'POST', JIT, { auth: auth(), body: { name: 'orphan', runner_group_id: 1, labels: ['self-hosted'] } });
    expect(retry.status).toBe(409);
    const posts = (await w.gh.requests()).filter((x) => x.route === 'generate-jitconfig');
    expect(posts.map((x) => [x.method, x.status, (x.body as { name: string }).name])).toEqual([
      ['POST', 500, 'orphan'],
      ['POST', 409, 'orphan'],
    ]);
  });

  it('gh.token_expire_early: registration tokens are dead at once', async () => {
    await w.gh.setFault('gh.token_expire_early');
    const t = (await raw(w.gh.apiUrl, 'POST', `${RUNNERS}/registration-token`, { auth: auth() })).json as { token: string };
    const r = await raw(w.gh.url, 'POST', '/actions/runner-registration', { auth: `RemoteAuth ${t.token}`, body: { url: `${w.gh.url}/acme/app`, runner_event: 'register' } });
    expect([r.status, r.json]).toEqual([404, errorBody(404, 'Not Found')]);
    await w.gh.clearFaults();
    const good = (await raw(w.gh.apiUrl, 'POST', `${RUNNERS}/registration-token`, { auth: auth() })).json as { token: string };
    const ok = await raw(w.gh.url, 'POST', '/actions/runner-registration', { auth: `RemoteAuth ${good.token}`, body: { url: `${w.gh.url}/acme/app`, runner_event: 'register' } });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ url: `${w.gh.url}/_fake/actions/`, token_schema: 'OAuthAccessToken', use_v2_flow: false });
    // A registration token of one repo does not register for another.
    const wrong = await raw(w.gh.url, 'POST', '/actions/runner-registration', { auth: `RemoteAuth ${good.token}`, body: { url: `${w.gh.url}/other/secret`, runner_event: 'register' } });
    expect(wrong.status).toBe(404);
  });

  it('gh.clock_skew(s) shifts the Date header', async () => {
    await w.gh.setFault('gh.clock_skew', { s: 120 });
    const r = await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: auth() });
    const skew = (Date.parse(r.headers.get('date')!) - Date.now()) / 1000;
    expect(skew).toBeGreaterThan(115);
    expect(skew).toBeLessThan(125);
  });

  it('gh.delete_lag(ms): a used JIT runner answers 200 until the lag passes, then 404', async () => {
    await w.gh.setFault('gh.delete_lag', { ms: 400 });
    const jit = await raw(w.gh.apiUrl, 'POST', JIT, { auth: auth(), body: { name: 'lagging', runner_group_id: 1, labels: ['self-hosted'] } });
    const { runner, encoded_jit_config } = jit.json as { runner: { id: number }; encoded_jit_config: string };
    const secret = JSON.parse(Buffer.from(JSON.parse(Buffer.from(encoded_jit_config, 'base64').toString())['.credentials'], 'base64').toString()).Data.fakeSecret;
    const s = await raw(w.gh.url, 'POST', '/_fake/runner/session', { body: { agentId: String(runner.id), secret, version: '2.336.0', os: 'macos' } });
    const { sessionId } = s.json as { sessionId: string };
    const job = await w.gh.enqueueJob({ repo: 'acme/app', name: 'j', labels: ['self-hosted'] });
    await raw(w.gh.url, 'GET', `/_fake/runner/message?sessionId=${sessionId}`);
    const done = await raw(w.gh.url, 'POST', '/_fake/runner/complete', { body: { sessionId, jobId: job.id, result: 'Succeeded' } });
    expect(done.status).toBe(200);
    const t0 = Date.now();
    expect((await raw(w.gh.apiUrl, 'GET', `${RUNNERS}/${runner.id}`, { auth: auth() })).status).toBe(200);
    await until('404 after the lag', async () => (await raw(w.gh.apiUrl, 'GET', `${RUNNERS}/${runner.id}`, { auth: auth() })).status === 404);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
  });

  it('a fault with a probability fires at that share of its decision points, the same ones for the same seed', async () => {
    const statuses = async (world: World) => {
      await world.gh.setFault('gh.status', { route: 'list-runners', status: 503 }, { probability: 0.3 });
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await raw(world.gh.apiUrl, 'GET', RUNNERS, { auth: `token ${world.fineGrained}` })).status);
      return out;
    };
    const first = await statuses(w);
    const failed = first.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(4);
    expect(failed).toBeLessThan(24);
    expect(first.filter((s) => s !== 503).every((s) => s === 200)).toBe(true);
    // Fired and evaluated are counted; another server with the same seed draws the same points.
    expect((await w.gh.faults()).find((f) => f.name === 'gh.status')).toMatchObject({ evaluated: 40, fired: failed, probability: 0.3 });
    const again = await seedWorld({ timeScale: 0.01 });
    try {
      expect(await statuses(again)).toEqual(first);
    } finally {
      await again.gh.close();
    }
  });

  it('unknown fault names are refused', async () => {
    const r = await raw(w.gh.url, 'POST', '/_fake/faults', { body: { name: 'gh.nope' } });
    expect(r.status).toBe(400);
  });
});
