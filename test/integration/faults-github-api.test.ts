// Field failures #21-#24, #26, #30, #36, #37 (field-failures.md §C): the GitHub REST side of a cycle
// — installation lookup, leftover registrations, lost JIT answers, GHES and its registration-token
// fallback, expired tokens, clock skew, token replication and rate limits. Each test also checks
// that the slot recovers, that no job is lost, and that shutdown leaves nothing behind.
// Every test has its own simulated host, so they run concurrently.
import { mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadHostConfig } from '../../src-main/cli/load-host-config';
import { createEkidenHost } from '../../src-main/core/ekiden-host';
import { isEkidenError } from '../../src-main/core/errors';
import { startSimHost } from '../sim/host';
import {
  adminRest, expectCleanShutdown, logEntries, logLines, openHarness, restRequests, runJobs,
} from './support/gh-faults';

const JIT = '/actions/runners/generate-jitconfig';

describe.concurrent('GitHub API faults', () => {
  // The App is installed on "Acme"; the operator typed "acme". GitHub compares logins without case.
  it.for([
    { lookup: 'GET /orgs/acme/installation', fault: false },
    { lookup: 'the App installations list (the direct lookup 404s)', fault: true },
  ])('#21 installation account "Acme" vs configured org "acme" works: $lookup', async ({ fault }, ctx) => {
    const h = await openHarness(ctx, {
      slots: 1,
      org: 'Acme',
      configure: (c) => void (c.github!.scope = { kind: 'org', org: 'acme' }),
      beforeHost: async (sim) => void (fault && (await sim.github.setFault('gh.status', { route: '/orgs/acme/installation', status: 404 }, { times: 1 }))),
    });
    await runJobs(h, 1);
    const rest = await restRequests(h);
    expect(rest.filter((r) => r.path === '/orgs/acme/installation').map((r) => r.status)).toEqual([fault ? 404 : 200]);
    if (fault) expect(rest.some((r) => r.path === '/app/installations' && r.status === 200)).toBe(true);
    expect(rest.filter((r) => r.path.endsWith(JIT)).map((r) => [r.path, r.status])).toEqual([[`/orgs/acme${JIT}`, 201]]);
    expect(h.of('failure')).toEqual([]);
    await expectCleanShutdown(h);
  });

  it('#22 no installation for the scope: the host refuses to start with "App not installed" and never clones', async () => {
    const sim = await startSimHost({ slots: 1, configure: (c) => void (c.github!.scope = { kind: 'org', org: 'lonely-org' }) });
    try {
      await sim.github.seedOrg({ login: 'lonely-org' });
      const loaded = await loadHostConfig(sim.configPath, sim.env);
      await mkdir(sim.stateDir, { recursive: true, mode: 0o700 });
      const error = await createEkidenHost({ config: loaded.config, secrets: loaded.secrets, stateDir: sim.stateDir, env: sim.env }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isEkidenError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'github_not_found' });
      expect((error as Error).message).toMatch(/App not installed on lonely-org/);
      expect(sim.tart.invocations().filter((c) => c.argv[0] === 'clone')).toEqual([]);
      const rest = (await sim.github.requests()).filter((r) => !r.path.startsWith('/_fake/'));
      expect(rest.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        'GET /orgs/lonely-org/installation 404',
        'GET /app/installations 200',
      ]);
      expect(await sim.leftovers()).toEqual({ vms: [], runners: [] });
    } finally {
      await sim.stop();
    }
  });

  it('#23 an offline ekiden-<host>-0-old runner is swept at start; new names differ; no 409', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1, start: false });
    const rest = await adminRest(h);
    const org = h.sim.repo.split('/')[0];
    const seed = async (name: string) => {
      const r = await rest('POST', `/orgs/${org}${JIT}`, { name, runner_group_id: 1, labels: ['self-hosted', 'macOS', 'ekiden-sim'] });
      expect(r.status).toBe(201);
      return (r.body as { runner: { id: number } }).runner.id;
    };
    const old = `ekiden-${h.sim.hostId}-0-old`;
    const oldId = await seed(old);
    const foreignId = await seed('ekiden-other-mac-0-old');
    await h.host.start();

    const sweepLog = logEntries(h).filter((e) => e.level !== 'debug' && /sweep/.test(e.text)).map((e) => e.text).join('\n');
    expect(h.of('runner.deleted', (e) => e.reason === 'sweep'), sweepLog).toMatchObject([{ runnerId: oldId, name: old, status: 204 }]);
    await runJobs(h, 1);
    const posts = (await restRequests(h)).filter((r) => r.method === 'POST' && r.path.endsWith(JIT) && r.authKind === 'installation');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((r) => r.status === 201)).toBe(true);
    expect(posts.map((r) => (r.body as { name: string }).name)).not.toContain(old);
    await expectCleanShutdown(h);
    // Another host's runner is not ours to sweep.
    expect((await h.sim.github.runners()).find((r) => r.id === foreignId)?.registration).toBe('active');
  });

  it('#24 gh.jit_500_after_create: exactly one POST per name, the orphan is deleted, the cycle continues', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    await h.sim.github.setFault('gh.jit_500_after_create', {}, { times: 1 });
    await runJobs(h, 1);

    const posts = (await restRequests(h)).filter((r) => r.method === 'POST' && r.path.endsWith(JIT));
    const names = posts.map((r) => (r.body as { name: string }).name);
    expect(new Set(names).size, JSON.stringify(posts.map((r) => [r.seq, r.status, r.body]))).toBe(names.length);
    expect(posts.map((r) => r.status).slice(0, 2)).toEqual([500, 201]);
    const [orphan, second] = names;
    expect(second).not.toBe(orphan);
    expect(h.of('runner.deleted', (e) => e.name === orphan)).toMatchObject([{ reason: 'jit_orphan', status: 204 }]);
    expect(h.of('job.completed')[0].runnerName).toBe(second);
    expect(h.of('failure')).toEqual([]);
    await expectCleanShutdown(h);
  });

  it('#24 a 409 on generate-jitconfig: the name is retired and the runner is minted once under a new one', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    await h.sim.github.setFault('gh.status', { route: 'generate-jitconfig', status: 409 }, { times: 1 });
    await runJobs(h, 1);

    const posts = (await restRequests(h)).filter((r) => r.method === 'POST' && r.path.endsWith(JIT));
    const names = posts.map((r) => (r.body as { name: string }).name);
    expect(new Set(names).size, JSON.stringify(posts.map((r) => [r.seq, r.status, r.body]))).toBe(names.length);
    expect(posts.map((r) => r.status).slice(0, 2)).toEqual([409, 201]);
    expect(h.of('job.completed')[0].runnerName).toBe(names[1]);
    expect(h.of('failure')).toEqual([]);
    await expectCleanShutdown(h);
  });

  it('#26 GHES: every call goes under /api/v3; generate-jitconfig 404 falls back to a registration token and config.sh', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1, githubMode: 'ghes' });
    await h.sim.github.setFault('gh.status', { route: 'generate-jitconfig', status: 404 });
    await runJobs(h, 1);
    const done = h.of('job.completed')[0];

    const rest = await restRequests(h);
    expect(rest.filter((r) => !r.path.startsWith('/api/v3/')).map((r) => r.path)).toEqual([]);
    expect(rest.some((r) => r.path.endsWith(JIT) && r.status === 404)).toBe(true);
    expect(rest.some((r) => r.path.endsWith('/actions/runners/registration-token') && r.status === 201)).toBe(true);
    expect(rest.some((r) => r.path === '/api/v3/actions/runner-registration' && r.status === 200)).toBe(true);
    // The config.sh success transcript, in the slot's log.
    const lines = logLines(h, done.vm);
    for (const l of ['√ Connected to GitHub', '√ Runner successfully added', '√ Runner connection is good', '√ Settings Saved.']) expect(lines).toContain(l);
    expect(done.runnerName).toBe(done.vm);
    expect(h.of('failure')).toEqual([]);
    await expectCleanShutdown(h);
  });

  it('#30 fallback with gh.token_expire_early: a typed error, then a fresh token on the next cycle', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1, githubMode: 'ghes' });
    await h.sim.github.setFault('gh.status', { route: 'generate-jitconfig', status: 404 });
    await h.sim.github.setFault('gh.token_expire_early', {}, { times: 1 });

    const failure = await h.waitFor('failure', undefined, 30_000);
    // A dead per-cycle token fails this cycle only; it is not a host-wide credentials problem.
    expect(failure).toMatchObject({ reason: 'registration_deleted', hostWide: false, message: expect.stringMatching(/Registration token expired or invalid/) });
    expect(failure.detail).toMatch(/^Http response code: NotFound from 'POST http:\/\/127\.0\.0\.1:\d+\/api\/v3\/actions\/runner-registration'/);
    await runJobs(h, 1, 300, 45_000);
    const rest = await restRequests(h);
    const trail = rest.map((r) => `${r.time} ${r.method} ${r.path} ${r.status} ${r.authKind}`).join('\n');
    // One token per cycle: the dead one, then a fresh one that config.sh could use.
    expect(rest.filter((r) => r.path.endsWith('/actions/runners/registration-token')).map((r) => r.status), trail).toEqual([201, 201]);
    expect(rest.filter((r) => r.path === '/api/v3/actions/runner-registration').map((r) => r.status)).toEqual([404, 200]);
    await expectCleanShutdown(h);
  });

  it('#30 gh.status(registration-token, 500): the runner is never started with an empty token', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1, githubMode: 'ghes' });
    await h.sim.github.setFault('gh.status', { route: 'generate-jitconfig', status: 404 });
    // One answer and octokit's three retries.
    await h.sim.github.setFault('gh.status', { route: 'registration-token', status: 500 }, { times: 4 });

    const failure = await h.waitFor('failure', undefined, 45_000);
    expect(failure).toMatchObject({ reason: 'github_5xx', phase: 'register' });
    const cycle = await h.waitFor('cycle.completed', (e) => e.vm === failure.vm);
    expect(cycle.outcome).toBe('failed');
    // Nothing reached config.sh in that VM: no registration call, no config.sh output.
    const lines = logEntries(h, failure.vm).filter((e) => e.source === 'runner');
    expect(lines).toEqual([]);
    expect((await h.sim.github.requests()).filter((r) => r.path.endsWith('/actions/runner-registration'))).toEqual([]);
    expect(h.sim.tart.invocations().some((c) => c.argv[0] === 'delete' && c.argv[1] === failure.vm)).toBe(true);

    await runJobs(h, 1, 300, 45_000);
    await expectCleanShutdown(h);
  });

  it.for([{ s: -120 }, { s: 120 }])('#36 gh.clock_skew($s): the App still gets its token and the cycle runs', async ({ s }, ctx) => {
    const h = await openHarness(ctx, { slots: 1, start: false });
    await h.sim.github.setFault('gh.clock_skew', { s });
    await h.host.start();
    await runJobs(h, 1);

    const tokens = (await restRequests(h)).filter((r) => r.path.endsWith('/access_tokens')).map((r) => r.status);
    const skewLog = logEntries(h).filter((e) => /time are different by/.test(e.text));
    if (s < 0) {
      // exp = now + 570 s by our clock is > 600 s ahead of GitHub's: 401, then auth-app corrects from `Date`.
      // (Requests that asked for a token at the same moment may each meet the 401 once.)
      expect(tokens[0]).toBe(401);
      expect(tokens.at(-1)).toBe(201);
      tokens.forEach((t, i) => t === 401 && expect(tokens[i + 1]).toBe(201));
      expect(skewLog.map((e) => e.level)).toContain('warn');
      expect(skewLog[0].text).toMatch(/different by -?1[12]\d seconds/);
    } else {
      // iat = now - 30 s is in GitHub's past and exp within 600 s: GitHub accepts the JWT as is.
      expect(tokens.length).toBeGreaterThan(0);
      expect(tokens.every((t) => t === 201)).toBe(true);
    }
    expect(h.of('failure')).toEqual([]);
    await expectCleanShutdown(h);
  });

  it('#36 gh.token_replication(2000): 401s on a fresh installation token are retried silently', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1, start: false });
    await h.sim.github.setFault('gh.token_replication', { ms: 2000 });
    await h.host.start();
    await runJobs(h, 1);

    const rest = await restRequests(h);
    const firstOk = rest.findIndex((r) => r.authKind === 'installation' && r.status < 300);
    expect(rest.slice(0, firstOk).filter((r) => r.status === 401).length).toBeGreaterThan(0);
    expect(logEntries(h).filter((e) => e.scope === 'github' && (e.level === 'warn' || e.level === 'error'))).toEqual([]);
    expect(h.of('failure')).toEqual([]);
    await expectCleanShutdown(h);
  });

  it('#37 gh.rate_limit_secondary(2): the next request comes at least 2 s after the limit', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    await h.sim.github.setFault('gh.rate_limit_secondary', { retryAfter: 2, route: 'generate-jitconfig' }, { times: 1 });
    await runJobs(h, 1);

    const calls = h.of('github.call');
    const limited = calls.findIndex((c) => c.status === 403 && c.urlTemplate.endsWith(JIT));
    expect(limited).toBeGreaterThanOrEqual(0);
    const next = calls[limited + 1];
    expect(next).toMatchObject({ status: 201 });
    expect(next.urlTemplate).toMatch(/generate-jitconfig$/);
    // The retry went out (its end minus its duration) no earlier than retry-after after the 403 came back.
    expect(next.at - next.seconds * 1000 - calls[limited].at).toBeGreaterThanOrEqual(2000 - 5);
    const jit = (await restRequests(h)).filter((r) => r.path.endsWith(JIT));
    expect(jit.map((r) => r.status)).toEqual([403, 201]);
    expect(Date.parse(jit[1].time) - Date.parse(jit[0].time)).toBeGreaterThanOrEqual(2000);
    expect(logLines(h).some((l) => /secondary rate limit .*generate-jitconfig: waiting 2 s/.test(l))).toBe(true);
    expect(h.of('failure')).toEqual([]);
    await expectCleanShutdown(h);
  });

  it('#37 gh.empty_403(generate-jitconfig): a typed error without a crash, then recovery', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1, hostRetrySeconds: 1 });
    await h.sim.github.setFault('gh.empty_403', { route: 'generate-jitconfig' });
    const failure = await h.waitFor('failure', undefined, 30_000);
    expect(failure).toMatchObject({ reason: 'github_permission', hostWide: true, phase: 'register' });
    expect(failure.message).toMatch(/empty 403/);
    expect(failure.detail).toBe('HTTP 403 generate-jitconfig');
    expect(h.host.snapshot().hostError?.reason).toBe('github_permission');

    await h.sim.github.clearFaults();
    await runJobs(h, 1, 300, 45_000);
    expect(h.host.snapshot().hostError).toBeUndefined();
    await expectCleanShutdown(h);
  });
});
