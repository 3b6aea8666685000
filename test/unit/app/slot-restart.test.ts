// `slot:restart` reaches Supervisor.restartSlot (a small core addition for the app): a slot whose
// breaker opened starts again; other slots and a paused host are left alone.
import { describe, expect, it } from 'vitest';
import { EkidenError } from '../../../src-main/core/errors';
import { Supervisor } from '../../../src-main/core/runner/supervisor';
import { FakeClock } from '../../support/fake-clock';
import { fakeWorld, slotSettings } from '../runner/fakes';

function setup() {
  const clock = new FakeClock();
  const world = fakeWorld(clock);
  const supervisor = new Supervisor(
    {
      slots: 1,
      slot: slotSettings(),
      image: { ref: 'ghcr.io/acme/runner:latest', pullPolicy: 'always-check', checkIntervalMinutes: 15 },
      backoff: { initialSeconds: 1, maxSeconds: 2, jitter: 0, breakerFailures: 3, breakerWindowMinutes: 10, hostRebootAfter: 99 },
      reconcileIntervalSeconds: 30,
      sweepIntervalMinutes: 10,
      hostRetrySeconds: 60,
    },
    world.deps,
  );
  return { clock, supervisor, ...world };
}

describe('restarting one slot', () => {
  it('starts a slot again after its breaker opened', async () => {
    const t = setup();
    t.backend.cloneError = new EkidenError('clone_failed', 'tart clone failed');
    await t.supervisor.start();
    await t.clock.runUntil(() => t.supervisor.snapshot().slots[0].state === 'paused');
    expect(t.supervisor.snapshot().slots[0].lastError).toMatchObject({ reason: 'clone_failed' });
    const clones = () => t.backend.calls.filter((c) => c.startsWith('clone')).length;
    const before = clones();
    await t.clock.advance(60_000);
    expect(clones()).toBe(before);

    t.supervisor.restartSlot(0);
    await t.clock.runUntil(() => clones() > before);
    expect(() => t.supervisor.restartSlot(1)).toThrow(/there is no slot 1/);
    let done = false;
    void t.supervisor.shutdown('now').then(() => (done = true));
    await t.clock.runUntil(() => done);
  });

  it('does nothing while the host is stopped', async () => {
    const t = setup();
    await t.supervisor.start();
    let done = false;
    void t.supervisor.shutdown('now').then(() => (done = true));
    await t.clock.runUntil(() => done);
    t.supervisor.restartSlot(0);
    await t.clock.advance(10_000);
    expect(t.supervisor.snapshot().slots[0].state).toBe('stopped');
  });
});
