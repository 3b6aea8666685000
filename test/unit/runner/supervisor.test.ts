import { describe, expect, it } from 'vitest';
import { EkidenError } from '../../../src-main/core/errors';
import type { EventOf } from '../../../src-main/core/events/types';
import { Supervisor, type SupervisorSettings } from '../../../src-main/core/runner/supervisor';
import { FakeClock } from '../../support/fake-clock';
import { fakeWorld, RUNNER, slotSettings } from './fakes';

function setup(slots = 2, overrides: Partial<SupervisorSettings> = {}) {
  const clock = new FakeClock();
  const world = fakeWorld(clock);
  const settings: SupervisorSettings = {
    slots,
    slot: slotSettings(),
    image: { ref: 'ghcr.io/acme/runner:latest', pullPolicy: 'always-check', checkIntervalMinutes: 15 },
    backoff: { initialSeconds: 5, maxSeconds: 300, jitter: 0, breakerFailures: 5, breakerWindowMinutes: 10, hostRebootAfter: 3 },
    reconcileIntervalSeconds: 30,
    sweepIntervalMinutes: 10,
    hostRetrySeconds: 60,
    ...overrides,
  };
  const supervisor = new Supervisor(settings, world.deps);
  const logs: string[] = [];
  return { clock, supervisor, logs, ...world };
}

describe('Supervisor', () => {
  it('reaps VMs and runner registrations this host left behind before starting slots', async () => {
    const t = setup(1);
    t.backend.vms.set('ekiden-mini1-0-old1', { running: true, mac: 'x' });
    t.backend.vms.set('ekiden-otherhost-0-abc', { running: false, mac: 'y' });
    t.backend.vms.set('my-own-vm', { running: false, mac: 'z' });
    t.github.runners.set(77, { id: 77, name: 'ekiden-mini1-0-old1', os: 'macos', status: 'offline', busy: false, labels: [] });
    t.github.runners.set(78, { id: 78, name: 'ekiden-mini1-1-busy', os: 'macos', status: 'online', busy: true, labels: [] });
    t.github.nextId = 100;
    await t.supervisor.start();
    expect(t.backend.vms.has('ekiden-mini1-0-old1')).toBe(false);
    expect(t.backend.vms.has('ekiden-otherhost-0-abc')).toBe(true);
    expect(t.backend.vms.has('my-own-vm')).toBe(true);
    expect(t.github.runners.has(77)).toBe(false);
    expect(t.github.runners.has(78)).toBe(true);
    expect(t.events).toContainEqual(expect.objectContaining({ type: 'runner.deleted', runnerId: 77, reason: 'sweep', status: 204 }));
    let done = false;
    void t.supervisor.shutdown('now').then(() => (done = true));
    await t.clock.runUntil(() => done);
  });

  it('a host-wide failure pauses every slot under one message, and a later success clears it', async () => {
    const t = setup(2);
    t.backend.cloneError = new EkidenError('disk_full', 'The disk is full: free space under TART_HOME.');
    await t.supervisor.start();
    await t.clock.runUntil(() => t.supervisor.snapshot().hostError !== undefined);
    await t.clock.advance(30_000);
    const clonesWhilePaused = t.backend.calls.filter((c) => c.startsWith('clone')).length;
    expect(clonesWhilePaused).toBeLessThanOrEqual(2);
    expect(t.supervisor.snapshot().hostError).toMatchObject({ reason: 'disk_full' });
    const hostStates = t.events.filter((e) => e.type === 'host.state' && e.hostError) as EventOf<'host.state'>[];
    expect(hostStates).toHaveLength(1);

    // The operator frees space: the next re-check gets through and the error clears.
    t.backend.cloneError = undefined;
    await t.clock.runUntil(() => t.supervisor.snapshot().slots.some((s) => s.state === 'registering'));
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening);
    await t.clock.runUntil(() => t.supervisor.snapshot().hostError === undefined);
    let done = false;
    void t.supervisor.shutdown('now').then(() => (done = true));
    await t.clock.runUntil(() => done);
    expect(t.backend.vms.size).toBe(0);
    expect(t.github.runners.size).toBe(0);
  });

  it('re-checks a lasting host-wide failure at doubling intervals, capped by hostRetryMaxSeconds', async () => {
    const t = setup(1, { hostRetrySeconds: 60, hostRetryMaxSeconds: 120 });
    t.backend.cloneError = new EkidenError('disk_full', 'The disk is full: free space under TART_HOME.');
    const attempts = () => t.events.filter((e): e is EventOf<'failure'> => e.type === 'failure' && e.reason === 'disk_full').map((e) => e.at);
    await t.supervisor.start();
    await t.clock.runUntil(() => attempts().length >= 5);
    const at = attempts();
    expect(at.slice(1).map((a, i) => Math.round((a - at[i]) / 1000))).toEqual([60, 120, 120, 120]);
    let done = false;
    void t.supervisor.shutdown('now').then(() => (done = true));
    await t.clock.runUntil(() => done);
  });

  it('never runs more than two VMs: a foreign running VM makes one slot wait', async () => {
    const t = setup(2);
    t.backend.vms.set('someone-elses-vm', { running: true, mac: 'f' });
    await t.supervisor.start();
    await t.clock.advance(60_000);
    const running = () => [...t.backend.vms.values()].filter((v) => v.running).length;
    expect(running()).toBe(2);
    const states = t.supervisor.snapshot().slots.map((s) => s.state).sort();
    expect(states).toContain('preparing');
    t.backend.vms.get('someone-elses-vm')!.running = false;
    await t.clock.runUntil(() => t.backend.calls.filter((c) => c.startsWith('run')).length === 2);
    expect(running()).toBe(2);
    let done = false;
    void t.supervisor.shutdown('now').then(() => (done = true));
    await t.clock.runUntil(() => done);
    expect([...t.backend.vms.keys()]).toEqual(['someone-elses-vm']);
  });

  it('pause drains both slots; resume starts them again', async () => {
    const t = setup(2);
    await t.supervisor.start();
    await t.clock.runUntil(() => t.supervisor.snapshot().slots.every((s) => s.state === 'registering'));
    let paused = false;
    void t.supervisor.pause().then(() => (paused = true));
    await t.clock.runUntil(() => paused);
    expect(t.supervisor.snapshot().paused).toBe(true);
    expect(t.supervisor.snapshot().slots.map((s) => s.state)).toEqual(['paused', 'paused']);
    expect(t.backend.vms.size).toBe(0);
    await t.supervisor.resume();
    await t.clock.runUntil(() => t.supervisor.snapshot().slots.every((s) => s.state === 'registering'));
    let done = false;
    void t.supervisor.shutdown('now').then(() => (done = true));
    await t.clock.runUntil(() => done);
    expect(t.backend.vms.size).toBe(0);
  });
});
