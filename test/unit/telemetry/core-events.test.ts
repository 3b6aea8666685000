// The facts telemetry needs come from the core's events: the run loop emits them at the right places.
import { describe, expect, it } from 'vitest';
import { EkidenError } from '../../../src-main/core/errors';
import type { EkidenEvent } from '../../../src-main/core/events/types';
import { Supervisor, type SupervisorSettings } from '../../../src-main/core/runner/supervisor';
import { FakeClock } from '../../support/fake-clock';
import { fakeWorld, slotSettings } from '../runner/fakes';

function setup(slots: number) {
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
  };
  return { clock, supervisor: new Supervisor(settings, world.deps), ...world };
}

const of = (events: EkidenEvent[], type: EkidenEvent['type']) => events.filter((e) => e.type === type);

describe('events telemetry depends on', () => {
  it('announce the slot count, the image in use, the inventory and the newest runner release', async () => {
    const t = setup(2);
    await t.supervisor.start();
    await t.clock.runUntil(() => of(t.events, 'image.current').length > 0 && of(t.events, 'runner.latest').length > 0);
    expect(of(t.events, 'host.state')[0]).toMatchObject({ slots: 2, paused: false });
    expect(of(t.events, 'image.current')).toEqual([
      expect.objectContaining({ ref: 'ghcr.io/acme/runner:latest', digest: `sha256:${'a'.repeat(64)}` }),
    ]);
    expect(of(t.events, 'runner.latest')).toEqual([expect.objectContaining({ version: '2.336.0' })]);
    expect(of(t.events, 'vm.inventory')[0]).toMatchObject({ ociCacheBytes: 0 });
    let done = false;
    void t.supervisor.shutdown('now').then(() => (done = true));
    await t.clock.runUntil(() => done);
  });

  it('name the phase a failure happened in', async () => {
    const t = setup(1);
    t.backend.cloneError = new EkidenError('clone_failed', 'tart clone failed');
    await t.supervisor.start();
    await t.clock.runUntil(() => of(t.events, 'failure').length > 0);
    expect(of(t.events, 'failure')[0]).toMatchObject({ reason: 'clone_failed', phase: 'clone', slot: 0 });
    let done = false;
    void t.supervisor.shutdown('now').then(() => (done = true));
    await t.clock.runUntil(() => done);
  });
});
