// The cycle timeline folded from the bus: first from a real Slot under fake time (the events in the
// order the state machine emits them), then edge cases fed as events.
import { describe, expect, it } from 'vitest';
import type { EkidenEvent } from '../../../src-main/core/events/types';
import { CapacityGate } from '../../../src-main/core/runner/capacity';
import { ImageManager } from '../../../src-main/core/runner/image-manager';
import { Slot, type SlotHost } from '../../../src-main/core/runner/slot';
import { CycleTimelines } from '../../../src-main/core/telemetry/cycle-timeline';
import { FakeClock } from '../../support/fake-clock';
import { fakeWorld, RUNNER, slotSettings, TIMEOUTS } from '../runner/fakes';

function slotWorld() {
  const clock = new FakeClock();
  const world = fakeWorld(clock);
  const host: SlotHost = {
    images: new ImageManager({ ref: 'ghcr.io/acme/runner:latest', pullPolicy: 'always-check', checkIntervalMinutes: 15 }, world.deps),
    capacity: new CapacityGate(world.deps.backend, clock, 2000),
    backoff: { initialSeconds: 5, maxSeconds: 300, jitter: 0, breakerFailures: 5, breakerWindowMinutes: 10 },
    waitForHostClear: async () => {},
    reportHostError: () => {},
    noteLimitError: () => {},
    noteStartFailure: () => {},
    noteStartSucceeded: () => {},
    noteHealthy: () => {},
  };
  const slot = new Slot(0, slotSettings(), world.deps, host);
  const timelines = new CycleTimelines();
  timelines.follow(world.deps.bus);
  const stop = async () => {
    let ended = false;
    void slot.stopNow().then(() => (ended = true));
    await clock.runUntil(() => ended);
  };
  return { clock, slot, timelines, stop, state: () => slot.snapshot().state, ...world };
}

const steps = (t: CycleTimelines, slot = 0) => t.of(slot)?.done.map((s) => `${s.step}:${s.outcome}`);

describe('cycle timeline from a real slot', () => {
  it('shows each ended step with its time, and the one under way since it began', async () => {
    const t = slotWorld();
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    const vm = t.slot.snapshot().vm;
    expect(t.timelines.of(0)).toMatchObject({ slot: 0, vm, current: { step: 'register', since: t.clock.now() } });
    expect(steps(t.timelines)).toEqual(['pull:ok', 'clone:ok', 'boot:ok', 'ip:ok', 'connect:ok']);

    t.launcher.print(...RUNNER.connected, ...RUNNER.listening);
    await t.clock.runUntil(() => t.state() === 'listening');
    await t.clock.advance(30_000);
    t.launcher.print(RUNNER.job('build (macos, 15)'));
    await t.clock.runUntil(() => t.state() === 'running');
    const jobStart = t.slot.snapshot().job!.startedAt;
    const live = t.timelines.of(0)!;
    expect(live.current).toEqual({ step: 'job', since: jobStart });
    expect(live.done.at(-1)).toMatchObject({ step: 'idle', outcome: 'ok' });
    expect(live.done.at(-1)!.seconds).toBeGreaterThanOrEqual(30);

    await t.clock.advance(90_000);
    t.launcher.print(RUNNER.done('build (macos, 15)'));
    await t.clock.runUntil(() => t.state() === 'finishing');
    expect(t.timelines.of(0)!.current?.step).toBe('finishing');
    t.launcher.print(...RUNNER.exit);
    t.launcher.exit(0);
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'cycle.completed'));
    const cycle = t.events.find((e) => e.type === 'cycle.completed')!;
    // The slot starts its next cycle right away: the finished one is the object we held.
    expect(live.ended).toEqual({ at: cycle.at, outcome: 'job_completed' });
    expect(live.current).toBeUndefined();
    expect(live.done.map((s) => s.step)).toEqual(['pull', 'clone', 'boot', 'ip', 'connect', 'register', 'idle', 'job', 'finishing', 'teardown']);
    expect(live.done.find((s) => s.step === 'job')!.seconds).toBe(90);
    // Every step's time agrees with the events (sum never exceeds the cycle).
    const total = live.done.reduce((a, s) => a + s.seconds, 0);
    expect(total).toBeLessThanOrEqual(cycle.type === 'cycle.completed' ? cycle.seconds + 1e-9 : 0);
    expect(live.startedAt).toBe(cycle.at - (cycle.type === 'cycle.completed' ? cycle.seconds * 1000 : 0));
    await t.clock.runUntil(() => t.timelines.of(0) !== live);
    const next = t.timelines.of(0)!;
    expect(next.startedAt).toBeGreaterThanOrEqual(cycle.at);
    expect(next.ended).toBeUndefined();
    expect(next.current).toBeDefined();
    await t.stop();
  });

  it('a job that outlives the job timeout ends its job step as a timeout', async () => {
    const t = slotWorld();
    void t.slot.start();
    await t.clock.runUntil(() => t.state() === 'registering');
    t.launcher.print(...RUNNER.connected, ...RUNNER.listening, RUNNER.job('forever'));
    await t.clock.runUntil(() => t.state() === 'running');
    const live = t.timelines.of(0)!;
    await t.clock.runUntil(() => t.events.some((e) => e.type === 'cycle.completed'));
    await t.stop();
    const job = live.done.find((s) => s.step === 'job')!;
    expect(job.outcome).toBe('timeout');
    expect(job.seconds).toBeGreaterThanOrEqual(TIMEOUTS.job);
    expect(live.ended?.outcome).toBe('failed');
    expect(live.done.at(-1)?.step).toBe('teardown');
  });
});

describe('cycle timeline from events', () => {
  const state = (at: number, s: Extract<EkidenEvent, { type: 'slot.state' }>['state'], previous = 'idle' as const): EkidenEvent => ({
    type: 'slot.state', at, slot: 1, state: s, previous, vm: 'vm-a',
  });

  it('within connecting, the address comes first, then the login', () => {
    const t = new CycleTimelines();
    t.apply(state(1_000, 'preparing'));
    t.apply(state(2_000, 'connecting'));
    expect(t.of(1)!.current).toEqual({ step: 'ip', since: 2_000 });
    t.apply({ type: 'phase.completed', at: 3_500, slot: 1, phase: 'ip', outcome: 'ok', seconds: 1.5, vm: 'vm-a' });
    expect(t.of(1)!.current).toEqual({ step: 'connect', since: 3_500 });
    expect(t.of(1)!.done).toEqual([{ step: 'ip', outcome: 'ok', seconds: 1.5, endedAt: 3_500 }]);
  });

  it('stop-now during a job ends the job step as cancelled when teardown begins', () => {
    const t = new CycleTimelines();
    t.apply(state(1_000, 'preparing'));
    t.apply({ type: 'job.started', at: 5_000, slot: 1, vm: 'vm-a', runnerName: 'vm-a', job: 'build' });
    t.apply(state(5_000, 'running'));
    t.apply(state(8_000, 'tearing-down'));
    expect(t.of(1)!.done).toEqual([{ step: 'job', outcome: 'cancelled', seconds: 3, endedAt: 8_000 }]);
    expect(t.of(1)!.current).toEqual({ step: 'teardown', since: 8_000 });
  });

  it('a timeline joined mid-cycle starts at the first event it sees, and a new cycle replaces an ended one', () => {
    const t = new CycleTimelines();
    t.apply({ type: 'phase.completed', at: 10_000, slot: 0, phase: 'boot', outcome: 'error', seconds: 4, vm: 'vm-b' });
    expect(t.of(0)).toMatchObject({ startedAt: 6_000, vm: 'vm-b', done: [{ step: 'boot', outcome: 'error' }] });
    t.apply({ type: 'cycle.completed', at: 11_000, slot: 0, outcome: 'failed', seconds: 9, vm: 'vm-b' });
    expect(t.of(0)).toMatchObject({ startedAt: 2_000, ended: { at: 11_000, outcome: 'failed' } });
    t.apply({ type: 'slot.state', at: 20_000, slot: 0, state: 'preparing', previous: 'idle', vm: 'vm-c' });
    expect(t.of(0)).toEqual({ slot: 0, vm: 'vm-c', startedAt: 20_000, done: [], current: { step: 'prepare', since: 20_000 } });
    expect(t.all().map((c) => c.slot)).toEqual([0]);
  });
});
