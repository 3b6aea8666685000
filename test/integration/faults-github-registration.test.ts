// Field failures #7, #27, #28, #29, #31-#34 (field-failures.md §C): a runner registration that
// vanishes, never gets its job, outlives its VM, races the idle TTL, or conflicts. Each test also
// checks that the slot recovers, that no job is lost, and that shutdown leaves nothing behind.
// Every test has its own simulated host, so they run concurrently.
import { describe, expect, it } from 'vitest';
import {
  adminRest, expectCleanShutdown, expectEachJobOnce, killGuest, logEntries, logLines, openHarness, restRequests, runJobs,
  runnerIdOf, waitSlotState, withTimeouts,
} from './support/gh-faults';

const VARIANT_A = 'The runner no longer exists on the server. Cleaning up local configuration.';
const DELETED =
  'Failed to create a session. The runner registration has been deleted from the server, please re-configure. Runner registrations are automatically deleted for runners that have not connected to the service recently.';
const MEDIUM_TRUST = 'Registration 8c5d4a1e-3f7b-4f0e-9a2d-6b1c0e9f7a31 was not found or is not medium trust.';
const CONFLICT = 'A session for this runner already exists.';

describe.concurrent('GitHub registration faults', () => {
  it('#7 a registration deleted server-side while listening prints variant A and the slot recycles within bound', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    const first = await waitSlotState(h, 0, 'listening');
    await h.sim.github.deleteRunnerServerSide(await runnerIdOf(h, first.vm!));

    const failure = await h.waitFor('failure', (e) => e.vm === first.vm, 15_000);
    expect(failure).toMatchObject({ reason: 'registration_deleted', hostWide: false, phase: 'idle', detail: VARIANT_A });
    expect(logLines(h, first.vm)).toContain(VARIANT_A);
    // Recycled: the old VM is deleted and a new runner listens, well within one register timeout.
    const next = await waitSlotState(h, 0, 'listening', [first.vm!], 30_000);
    expect(next.at - failure.at).toBeLessThan(30_000);
    expect(h.sim.tart.invocations().some((c) => c.argv[0] === 'delete' && c.argv[1] === first.vm)).toBe(true);

    await runJobs(h, 1);
    await expectCleanShutdown(h);
  });

  it('#28 drain while GitHub refuses the runner DELETEs: the registration of the deleted VM is still removed', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    await waitSlotState(h, 0, 'listening');
    // The drain's DELETE of the idle runner and the teardown's retry both fail; GitHub still counts
    // the runner online (its VM just went away), so only knowing the VM is gone can clear it.
    await h.sim.github.setFault('gh.status', { route: 'delete-runner', status: 403 }, { times: 2 });
    expect(await h.shutdown('drain')).toEqual({ vms: [], runners: [] });
  });

  it('#28 drain while GitHub fails the runner DELETEs and the first final sweep: a retried sweep leaves nothing', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    await waitSlotState(h, 0, 'listening');
    await h.sim.github.setFault('gh.status', { route: 'delete-runner', status: 403 }, { times: 2 });
    await h.sim.github.setFault('gh.status', { route: 'list-runners', status: 403 }, { times: 1 });
    expect(await h.shutdown('drain')).toEqual({ vms: [], runners: [] });
    expect((await restRequests(h)).filter((r) => r.route === 'list-runners').map((r) => r.status).slice(-2)).toEqual([403, 200]);
  });

  it('#7 a runner that hangs while listening is recycled at the idle TTL (DELETE 204)', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1, configure: withTimeouts({ idle: 3 }) });
    await h.sim.github.setFault('runner.hang', { afterS: 0.5 }, { times: 1 });
    const first = await waitSlotState(h, 0, 'listening');

    const idle = await h.waitFor('phase.completed', (e) => e.phase === 'idle' && e.vm === first.vm, 15_000);
    expect(idle.outcome).toBe('timeout');
    expect(idle.seconds).toBeGreaterThanOrEqual(3);
    expect(idle.seconds).toBeLessThan(8);
    expect(h.of('runner.deleted', (e) => e.name === first.vm)[0]).toMatchObject({ reason: 'idle_ttl', status: 204 });
    expect((await h.waitFor('cycle.completed', (e) => e.vm === first.vm)).outcome).toBe('idle_recycled');

    // The job goes to the next runner.
    const ids = await h.sim.enqueue(1, { durationMs: 300 });
    const done = await h.waitFor('job.completed', undefined, 30_000);
    expect(done.vm).not.toBe(first.vm);
    await expectEachJobOnce(h, ids);
    await expectCleanShutdown(h);
  });

  it('#27 runner.never_assigned: the slot recycles after the idle TTL and the next runner takes the queued job', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1, configure: withTimeouts({ idle: 3 }) });
    const shunned = (await waitSlotState(h, 0, 'cloning')).vm!;
    await h.sim.github.setFault('runner.never_assigned', { agentName: shunned });
    const ids = await h.sim.enqueue(1, { durationMs: 300 });

    const cycle = await h.waitFor('cycle.completed', (e) => e.vm === shunned, 30_000);
    expect(cycle.outcome).toBe('idle_recycled');
    expect(h.of('runner.deleted', (e) => e.name === shunned)[0]).toMatchObject({ reason: 'idle_ttl', status: 204 });
    const done = await h.waitFor('job.completed', undefined, 30_000);
    expect(done.vm).not.toBe(shunned);
    expect(h.of('job.started', (e) => e.vm === shunned)).toEqual([]);
    await expectEachJobOnce(h, ids);
    await expectCleanShutdown(h);
  });

  it('#27 2 slots x 2 jobs: each job completes exactly once, each in its own VM', async (ctx) => {
    const h = await openHarness(ctx, { slots: 2 });
    await runJobs(h, 4);
    const done = h.of('job.completed');
    expect(done).toHaveLength(4);
    expect(new Set(done.map((e) => e.vm)).size).toBe(4);
    expect(new Set(done.map((e) => e.slot))).toEqual(new Set([0, 1]));
    await expectCleanShutdown(h);
  });

  it('#28 the guest dies while listening: Ekiden DELETEs the registration (204) and the slot recovers', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    const first = await waitSlotState(h, 0, 'listening');
    const id = await runnerIdOf(h, first.vm!);
    killGuest(h, first.vm!);

    const failure = await h.waitFor('failure', (e) => e.vm === first.vm, 20_000);
    expect(failure.reason).toBe('vm_error_stop');
    await h.waitFor('cycle.completed', (e) => e.vm === first.vm, 30_000);
    // The fake still held the dead runner's record; teardown deleted it.
    const deletes = (await restRequests(h)).filter((r) => r.method === 'DELETE' && r.path.endsWith(`/actions/runners/${id}`));
    expect(deletes.map((r) => r.status)).toEqual([204]);
    expect(h.of('runner.deleted', (e) => e.runnerId === id)[0]).toMatchObject({ reason: 'teardown', status: 204 });

    await runJobs(h, 1);
    await expectCleanShutdown(h);
  });

  // The server holds the idle-TTL DELETE (gh.slow) while the job is handed to the runner. A long job
  // makes the DELETE find the runner busy (422); a short one has finished and its registration is
  // gone by then (404). Either way the job that raced in is followed and counted once.
  it.for([
    { race: 'busy: 422', slowMs: 1500, durationMs: 4000, deleteLagMs: 1000, status: 422 },
    { race: 'already done: 404', slowMs: 4000, durationMs: 500, deleteLagMs: 0, status: 404 },
  ])('#29 a job assigned just before the idle-TTL DELETE ($race) is followed to completion', async ({ slowMs, durationMs, deleteLagMs, status }, ctx) => {
    const h = await openHarness(ctx, { slots: 1, configure: withTimeouts({ idle: 3 }) });
    await h.sim.github.setConfig({ deleteLagMs });
    await h.sim.github.setFault('gh.slow', { route: 'delete-runner', ms: slowMs });
    const github = h.host.github;
    const original = github.deleteRunner.bind(github);
    let markSent!: () => void;
    const deleteSent = new Promise<void>((resolve) => (markSent = resolve));
    github.deleteRunner = (id, opts) => {
      if (opts?.reason === 'idle_ttl') markSent();
      return original(id, opts);
    };

    const first = await waitSlotState(h, 0, 'listening');
    await deleteSent;
    const ids = await h.sim.enqueue(1, { durationMs });
    const raced = await h.waitFor('runner.deleted', (e) => e.reason === 'idle_ttl', 15_000);
    expect(raced).toMatchObject({ name: first.vm, status });
    await h.sim.github.clearFaults();

    const done = await h.waitFor('job.completed', undefined, 30_000);
    expect(done.vm).toBe(first.vm);
    expect((await h.waitFor('cycle.completed', (e) => e.vm === first.vm)).outcome).toBe('job_completed');
    const states = h.of('slot.state', (e) => e.vm === first.vm).map((e) => e.state);
    expect(states.slice(states.indexOf('listening'))).toEqual(['listening', 'running', 'finishing', 'tearing-down']);
    await expectEachJobOnce(h, ids);
    expect(h.of('failure')).toEqual([]);
    await expectCleanShutdown(h);
  });

  // DELETE of an idle runner by someone else (REST, so the record stays as "deleted" and the
  // runner's restart meets 401) with and without runner.delete_variant_b.
  it.for([
    { variant: 'variant A', fault: undefined, terminal: VARIANT_A },
    { variant: 'variant B', fault: {}, terminal: DELETED },
    { variant: 'variant B, medium-trust message (#31)', fault: { message: MEDIUM_TRUST }, terminal: `An error occurred: ${MEDIUM_TRUST}` },
  ])('#34 $variant ends the cycle with registration_deleted at its first terminal line', async ({ fault, terminal }, ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    const rest = await adminRest(h);
    if (fault) await h.sim.github.setFault('runner.delete_variant_b', fault);
    const first = await waitSlotState(h, 0, 'listening');
    const id = await runnerIdOf(h, first.vm!);
    expect((await rest('DELETE', `/orgs/${h.sim.repo.split('/')[0]}/actions/runners/${id}`)).status).toBe(204);

    const failure = await h.waitFor('failure', (e) => e.vm === first.vm, 20_000);
    expect(failure).toMatchObject({ reason: 'registration_deleted', phase: 'idle', detail: terminal });
    const entries = logEntries(h, first.vm).filter((e) => e.source === 'runner');
    const line = entries.find((e) => e.text === terminal);
    expect(line).toBeDefined();
    // The VM goes at the first terminal line: the medium-trust case never waits for the restart (5 s).
    expect(failure.at - line!.ts).toBeLessThan(2000);
    if (terminal.includes('medium trust')) expect(entries.map((e) => e.text)).not.toContain('Restarting runner...');
    expect((await h.waitFor('cycle.completed', (e) => e.vm === first.vm)).outcome).toBe('failed');
    await h.sim.github.clearFaults();

    await runJobs(h, 1);
    await expectCleanShutdown(h);
  });

  it('#32 runner.session_conflict recycles the VM after the first conflict line, well before 240 s', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    await h.sim.github.setFault('runner.session_conflict', { s: 300 });
    const failure = await h.waitFor('failure', (e) => e.reason === 'session_conflict', 30_000);
    expect(failure.detail).toBe(CONFLICT);
    await h.sim.github.clearFaults();
    expect(logLines(h, failure.vm).filter((l) => l === CONFLICT)).toHaveLength(1);
    const cycle = await h.waitFor('cycle.completed', (e) => e.vm === failure.vm);
    expect(cycle.outcome).toBe('failed');
    expect(cycle.seconds).toBeLessThan(60);
    // The conflicted registration was deleted; the next cycle mints a new name.
    expect(h.of('runner.deleted', (e) => e.name === failure.vm && e.reason === 'teardown')[0]?.status).toBe(204);
    const next = await waitSlotState(h, 0, 'listening', [failure.vm!]);
    expect(next.vm).not.toBe(failure.vm);
    await runJobs(h, 1);
    await expectCleanShutdown(h);
  });
});
