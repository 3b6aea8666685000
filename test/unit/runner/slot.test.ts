import { describe, expect, it } from 'vitest';
import { EkidenError } from '../../../src-main/core/errors';
import type { EventOf } from '../../../src-main/core/events/types';
import { CapacityGate } from '../../../src-main/core/runner/capacity';
import { ImageManager } from '../../../src-main/core/runner/image-manager';
import { Slot, type SlotHost } from '../../../src-main/core/runner/slot';
import { FakeClock } from '../../support/fake-clock';
import { fakeWorld, RUNNER, slotSettings, TIMEOUTS } from './fakes';

function setup(over: Parameters<typeof slotSettings>[0] = {}) {
  const clock = new FakeClock();
  const world = fakeWorld(clock);
  const hostErrors: EkidenError[] = [];
  const host: SlotHost = {
    images: new ImageManager({ ref: 'ghcr.io/acme/runner:latest', pullPolicy: 'always-check', checkIntervalMinutes: 15 }, world.deps),
    capacity: new CapacityGate(world.deps.backend, clock, 2000),
    backoff: { initialSeconds: 5, maxSeconds: 300, jitter: 0, breakerFailures: 5, breakerWindowMinutes: 10 },
    waitForHostClear: async () => {},
    reportHostError: (e) => hostErrors.push(e),
    noteLimitError: () => {},
    noteStartFailure: () => {},
    noteStartSucceeded: () => {},
    noteHealthy: () => {},
  };
  const slot = new Slot(0, slotSettings(over), world.deps, host);
  const state = () => slot.snapshot().state;
  /** Stops the slot and runs fake time until its loop has ended (teardown included). */
  const stop = async () => {
    let ended = false;
    void slot.stopNow().then(() => (ended = true));
    await clock.runUntil(() => ended);
  };
  return { clock, slot, state, stop, hostErrors, ...world };
}

describe('Slot', () => {
  it('runs one job through every phase, then deletes the VM and confirms the registration is gone', async () => {
    const t = setup();
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening);
    await t.clock.runUntil(() => t.state() === 'listening');
    t.launcher.print(RUNNER.job('build (macos, 15)'));
    await t.clock.runUntil(() => t.state() === 'running');
    await t.clock.advance(90_000);
    t.launcher.print(RUNNER.done('build (macos, 15)'));
    await t.clock.runUntil(() => t.state() === 'finishing');
    t.launcher.print(...RUNNER.exit);
    t.launcher.exit(0);
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'cycle.completed'));
    await t.stop();

    expect(t.states().slice(0, 11)).toEqual([
      'preparing', 'cloning', 'booting', 'connecting', 'registering', 'listening', 'running', 'finishing', 'tearing-down', 'idle', 'preparing',
    ].slice(0, 11));
    const done = t.events.find((e) => e.type === 'job.completed') as EventOf<'job.completed'>;
    expect(done).toMatchObject({ job: 'build (macos, 15)', runnerResult: 'Succeeded', result: 'success', seconds: 90 });
    const cycle = t.events.find((e) => e.type === 'cycle.completed') as EventOf<'cycle.completed'>;
    expect(cycle.outcome).toBe('job_completed');
    const vm = done.vm;
    expect(t.backend.calls).toEqual(expect.arrayContaining([`clone ${vm}`, `set ${vm}`, `run ${vm}`, `stop ${vm}`, `delete ${vm}`]));
    expect(t.backend.vms.has(vm)).toBe(false);
    expect(t.github.runners.size).toBe(0);
    expect(t.launcher.started[0]).toBe('jit-secret-1');
    expect(t.state()).toBe('stopped');
    expect(t.secrets.size).toBe(0);
    const phases = t.events.filter((e) => e.type === 'phase.completed').map((e) => `${(e as EventOf<'phase.completed'>).phase}:${(e as EventOf<'phase.completed'>).outcome}`);
    expect(phases.slice(0, 9)).toEqual(['pull:ok', 'clone:ok', 'boot:ok', 'ip:ok', 'connect:ok', 'register:ok', 'idle:ok', 'finishing:ok', 'teardown:ok']);
  });

  it('an idle runner past the idle TTL is deregistered and its VM recycled', async () => {
    const t = setup();
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening);
    await t.clock.runUntil(() => t.state() === 'listening');
    const listeningAt = t.clock.now();
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'cycle.completed'));
    await t.stop();
    const cycle = t.events.find((e) => e.type === 'cycle.completed') as EventOf<'cycle.completed'>;
    expect(cycle.outcome).toBe('idle_recycled');
    expect(t.clock.now() - listeningAt).toBeGreaterThanOrEqual(TIMEOUTS.idle * 1000);
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'runner.deleted', reason: 'idle_ttl', status: 204 }));
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'phase.completed', phase: 'idle', outcome: 'timeout' }));
    expect(t.backend.vms.size).toBe(0);
  });

  /** Runs one job to the end of its cycle (runner id 1). */
  async function oneJob(t: ReturnType<typeof setup>): Promise<void> {
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening, RUNNER.job('build'));
    await t.clock.runUntil(() => t.state() === 'running');
    t.launcher.print(RUNNER.done('build'), ...RUNNER.exit);
    t.launcher.exit(0);
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'cycle.completed'));
  }

  it('after its job a runner is left to GitHub to deregister: teardown deletes nothing, a later look finds it gone', async () => {
    const t = setup();
    await oneJob(t);
    // The cycle is over while the used registration still exists: teardown did not wait on it.
    expect(t.github.runners.has(1)).toBe(true);
    // GitHub removes the ephemeral registration a moment after the job.
    await t.clock.advance(1_000);
    t.github.runners.delete(1);
    await t.clock.advance(15_000);
    await t.stop();
    expect(t.github.deletes).not.toContain(1);
  });

  it('a used registration that GitHub keeps is deleted once the settle waits have passed', async () => {
    const t = setup();
    await oneJob(t);
    await t.clock.advance(9_000);
    expect(t.github.deletes).not.toContain(1);
    await t.clock.advance(2_000);
    expect(t.github.deletes).toContain(1);
    await t.stop();
    expect(t.github.runners.has(1)).toBe(false);
  });

  it('stop does not wait out the settle waits: the used registration is looked up and deleted at once', async () => {
    const t = setup();
    await oneJob(t);
    const ended = t.clock.now();
    await t.stop();
    expect(t.github.deletes).toContain(1);
    expect(t.clock.now() - ended).toBeLessThan(3_000);
  });

  it("names the running job's repository and run once the worker's log has them, and keeps them in job.completed", async () => {
    const t = setup();
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening, RUNNER.job('build'));
    await t.clock.runUntil(() => t.state() === 'running');
    // The worker has not written its job message yet: looked at again, closer at first.
    await t.clock.advance(600);
    expect(t.launcher.detailLooks).toBe(3);
    expect(t.slot.snapshot().job?.repository).toBeUndefined();
    t.launcher.details = { repository: 'acme/app', runId: '42', runUrl: 'https://github.com/acme/app/actions/runs/42' };
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'job.details'));
    expect(t.slot.snapshot().job).toMatchObject({ name: 'build', repository: 'acme/app', runUrl: 'https://github.com/acme/app/actions/runs/42' });
    t.launcher.print(RUNNER.done('build'), ...RUNNER.exit);
    t.launcher.exit(0);
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'job.completed'));
    expect(t.events.find((e) => e.type === 'job.completed')).toMatchObject({ repository: 'acme/app', runUrl: 'https://github.com/acme/app/actions/runs/42' });
    await t.stop();
  });

  it('a job over before the first look still gets its origin: one last look at its end', async () => {
    const t = setup();
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.details = { repository: 'acme/app' };
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening, RUNNER.job('quick'), RUNNER.done('quick'), ...RUNNER.exit);
    t.launcher.exit(0);
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'job.completed'));
    expect(t.events.find((e) => e.type === 'job.completed')).toMatchObject({ job: 'quick', repository: 'acme/app' });
    expect(t.events.filter((e) => e.type === 'job.details')).toHaveLength(1);
    await t.stop();
  });

  it('a runner that never names its job costs no wait at the job end', async () => {
    const t = setup();
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening, RUNNER.job('build'));
    await t.clock.runUntil(() => t.state() === 'running');
    await t.clock.advance(30_000);
    const looks = t.launcher.detailLooks;
    t.launcher.print(RUNNER.done('build'), ...RUNNER.exit);
    t.launcher.exit(0);
    const before = t.clock.now();
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'job.completed'));
    expect(t.clock.now() - before).toBe(0);
    expect(t.launcher.detailLooks).toBe(looks + 1);
    expect(t.events.find((e) => e.type === 'job.completed')).not.toHaveProperty('repository');
    await t.stop();
  });

  it('a 422 on the idle-TTL delete means a job raced in: the slot follows it to completion', async () => {
    const t = setup();
    t.github.deleteAnswers = ['busy'];
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening);
    await t.clock.runUntil(() => t.github.deletes.length === 1);
    t.launcher.print(RUNNER.job('late job'));
    await t.clock.runUntil(() => t.state() === 'running');
    t.launcher.print(RUNNER.done('late job', 'Failed'), ...RUNNER.exit);
    t.launcher.exit(0);
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'cycle.completed'));
    await t.stop();
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'job.completed', job: 'late job', result: 'failure' }));
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'cycle.completed', outcome: 'job_completed' }));
  });

  it('a VM that stops with an error mid-job fails the cycle as vm_error_stop and is still torn down', async () => {
    const t = setup();
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening, RUNNER.job('j'));
    await t.clock.runUntil(() => t.state() === 'running');
    const vm = t.slot.snapshot().vm!;
    t.backend.crash(vm);
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'cycle.completed'));
    await t.stop();
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'failure', reason: 'vm_error_stop', vm }));
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'cycle.completed', outcome: 'failed' }));
    expect(t.backend.calls).toContain(`delete ${vm}`);
    expect(t.github.runners.size).toBe(0);
  });

  it('a job that outlives the job timeout is cancelled and its VM deleted', async () => {
    const t = setup();
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening, RUNNER.job('forever'));
    await t.clock.runUntil(() => t.state() === 'running');
    const vm = t.slot.snapshot().vm!;
    const started = t.clock.now();
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'cycle.completed'));
    await t.stop();
    expect(t.clock.now() - started).toBeGreaterThanOrEqual(TIMEOUTS.job * 1000);
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'failure', reason: 'job_timeout' }));
    expect(t.backend.vms.has(vm)).toBe(false);
  });

  it('repeated clone failures back off with growing delays, then the breaker pauses the slot', async () => {
    const t = setup();
    t.backend.cloneError = new EkidenError('clone_failed', 'clone failed', 'Error: disk exploded');
    const done = t.slot.start();
    let finished = false;
    void done.then(() => (finished = true));
    await t.clock.runUntil(() => finished);
    const backoffs = t.events.filter((e) => e.type === 'slot.state' && e.state === 'backoff') as EventOf<'slot.state'>[];
    const delays = backoffs.map((e) => e.retryAt! - e.at);
    expect(delays).toEqual([5000, 10000, 20000, 40000]);
    expect(t.backend.calls.filter((c) => c.startsWith('clone'))).toHaveLength(5);
    expect(t.state()).toBe('paused');
    expect(t.slot.snapshot().lastError?.reason).toBe('clone_failed');
  });

  it('drain while listening deregisters the idle runner and starts nothing new', async () => {
    const t = setup();
    const loop = t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening);
    await t.clock.runUntil(() => t.state() === 'listening');
    void t.slot.drain();
    let ended = false;
    void loop.then(() => (ended = true));
    await t.clock.runUntil(() => ended);
    expect(t.state()).toBe('paused');
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'cycle.completed', outcome: 'aborted' }));
    expect(t.github.runners.size).toBe(0);
    expect(t.backend.vms.size).toBe(0);
    expect(t.backend.calls.filter((c) => c.startsWith('clone'))).toHaveLength(1);
  });

  it('drain while a job runs lets the job finish, then pauses', async () => {
    const t = setup();
    const loop = t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening, RUNNER.job('j'));
    await t.clock.runUntil(() => t.state() === 'running');
    void t.slot.drain();
    await t.clock.advance(30_000);
    expect(t.state()).toBe('running');
    t.launcher.print(RUNNER.done('j'), ...RUNNER.exit);
    t.launcher.exit(0);
    let ended = false;
    void loop.then(() => (ended = true));
    await t.clock.runUntil(() => ended);
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'job.completed', result: 'success' }));
    expect(t.state()).toBe('paused');
    expect(t.backend.calls.filter((c) => c.startsWith('clone'))).toHaveLength(1);
  });

  it('a registration deleted while listening ends the cycle as registration_deleted', async () => {
    const t = setup();
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening);
    await t.clock.runUntil(() => t.state() === 'listening');
    t.launcher.print('The runner no longer exists on the server. Cleaning up local configuration.');
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'cycle.completed'));
    await t.stop();
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'failure', reason: 'registration_deleted' }));
    expect(t.backend.vms.size).toBe(0);
  });
});
