import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

describe('secrets a cycle mints', () => {
  it('are registered for redaction while the cycle runs and dropped when it ends, cycle after cycle', async () => {
    h = await startHarness({ slots: 1, start: false });
    const redactor = h.host.redactor;
    // Read synchronously as the events happen: the next cycle cannot interleave.
    const sizes: { listening: number[]; ended: number[] } = { listening: [], ended: [] };
    h.host.bus.subscribe((e) => {
      if (e.type === 'slot.state' && e.state === 'listening') sizes.listening.push(redactor.size);
      if (e.type === 'cycle.completed' && e.outcome === 'job_completed') sizes.ended.push(redactor.size);
    });
    await h.sim.enqueue(3, { durationMs: 200 });
    await h.host.start();
    await h.waitForCount('cycle.completed', 3, (e) => e.outcome === 'job_completed', 120_000);

    // Each cycle's JIT config adds one registered value while its runner lives, and none stays.
    for (let i = 0; i < 3; i++) expect(sizes.ended[i]).toBe(sizes.listening[i] - 1);
    expect(sizes.ended[2]).toBe(sizes.ended[0]);
    expect(await h.shutdown('drain')).toEqual({ vms: [], runners: [] });
  });
});
