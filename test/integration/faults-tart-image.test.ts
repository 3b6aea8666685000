// Image, registry, disk and keychain faults (field-failures.md #42-#44, #47-#49): Ekiden's real core
// against the simulated host. Host-wide causes must give one message and pause every slot; clearing
// the fault resumes, every enqueued job then completes exactly once, and nothing is left behind.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect } from 'vitest';
import type { FailureReason } from '../../src-main/core/errors';
import { installFakeRunner } from '../sim/runner/install';
import type { Harness, HarnessOptions } from './support/harness';
import { HOST_RETRY_SECONDS, SIM_SPEED, expectJobsDoneOnce, faultTest, hostErrorEpisodes, shutdownClean, skippableClock, tartCalls } from './support/tart-faults';

const test = faultTest();

async function ociCache(harness: Harness): Promise<string[]> {
  const listed = await harness.sim.tart.runTart(['list', '--source', 'oci', '--format', 'json'], { env: { TART_NO_AUTO_PRUNE: '1' } });
  return (JSON.parse(listed.stdout) as { Name: string }[]).map((v) => v.Name);
}

function evictions(harness: Harness): string[] {
  try {
    return fs.readFileSync(path.join(harness.sim.tart.tartHome, '.sim', 'evictions.jsonl'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * A host-wide fault: one host error with `reason`, every slot waits (one probe per re-check, no
 * retry storm), and clearing the fault lets the queued jobs run.
 */
async function expectOneHostError(
  open: (opts: HarnessOptions) => Promise<Harness>, fault: string, reason: FailureReason, message: RegExp,
): Promise<Harness> {
  const hostRetrySeconds = HOST_RETRY_SECONDS;
  const h = await open({ slots: 2, timeScale: SIM_SPEED, start: false, hostRetrySeconds });
  h.sim.tart.setFault(fault);
  const ids = await h.sim.enqueue(2, { durationMs: 400 });
  await h.host.start();

  const raised = await h.waitFor('host.state', (e) => e.hostError?.reason === reason, 30_000);
  expect(raised.hostError!.message).toMatch(message);
  const slotFailures = () => h.of('failure', (e) => e.reason === reason && e.slot !== undefined);
  const firstRound = slotFailures().length;
  // One re-check finds the fault still there...
  const recheck = h.events.length;
  await h.waitFor('log', (e) => h.events.indexOf(e) > recheck && /re-checking the host-wide problem/.test(e.entry.text), hostRetrySeconds * 1000 + 5_000);
  await h.waitForCount('failure', firstRound + 1, (e) => e.reason === reason && e.slot !== undefined, 10_000);
  // ...then the operator fixes it.
  h.sim.tart.clearFaults(fault);
  expect(slotFailures().length).toBeLessThanOrEqual(4);
  // Paused: until the re-check at most the other slot's cycle already under way went on to clone.
  const rechecked = h.of('log', (e) => /re-checking the host-wide problem/.test(e.entry.text))[0].entry.ts;
  expect(tartCalls(h, 'clone').filter((c) => c.startedAt > raised.at && c.startedAt < rechecked).length).toBeLessThanOrEqual(1);

  await h.waitFor('host.state', (e) => e.at > raised.at && !e.hostError, 30_000);
  await h.waitForCount('job.completed', 2, undefined, 30_000);
  expect(hostErrorEpisodes(h, reason)).toBe(1);
  expect(h.logText().match(new RegExp(`host-wide problem, all slots wait: ${reason}`, 'g'))).toHaveLength(1);
  await expectJobsDoneOnce(h, ids);
  await shutdownClean(h);
  return h;
}

describe('image, registry, disk and keychain faults', () => {
  test('#42 tart.auto_prune_evicts: with TART_NO_AUTO_PRUNE on every call nothing is evicted from the image cache', async (open) => {
    const h = await open({ slots: 1, timeScale: SIM_SPEED, start: false });
    // Another image sits in the cache: the first thing an auto-prune would evict.
    const otherRef = '127.0.0.1:5000/ekiden/other:latest';
    await h.sim.tart.publishImage(otherRef);
    expect((await h.sim.tart.runTart(['pull', otherRef], { env: { TART_NO_AUTO_PRUNE: '' } })).code).toBe(0);
    h.sim.tart.setFault('tart.auto_prune_evicts');
    const ids = await h.sim.enqueue(1, { durationMs: 400 });
    await h.host.start();
    await h.waitFor('job.completed', undefined, 30_000);
    await shutdownClean(h);

    expect(evictions(h)).toEqual([]);
    expect((await ociCache(h)).filter((n) => n.startsWith('127.0.0.1:5000/ekiden/other'))).not.toEqual([]);
    expect(tartCalls(h, 'pull').length + tartCalls(h, 'clone').length).toBeGreaterThanOrEqual(2);
    await expectJobsDoneOnce(h, ids);
    // The same clone without the variable does evict: the fault was armed all along.
    expect((await h.sim.tart.runTart(['clone', otherRef, 'probe'])).code).toBe(0);
    expect(evictions(h).length).toBeGreaterThan(0);
  });

  test('#43 tart.disk_full: one host-level disk_full error, all slots paused; clearing it resumes', async (open) => {
    await expectOneHostError(open, 'tart.disk_full', 'disk_full', /disk is full/);
  });

  test('#44 a new digest published while a job runs: the running job is untouched, the next clone uses it, the old one is pruned', async (open) => {
    const clock = skippableClock();
    const h = await open({
      slots: 1, timeScale: SIM_SPEED, start: false, clock,
      configure: (c) => {
        c.image = { ...c.image!, cacheBudgetGb: 30 };
        c.reconcileIntervalSeconds = 1;
      },
    });
    const [first] = await h.sim.enqueue(1, { durationMs: 30_000 });
    // Real time of each job's end (the events carry Ekiden's skipped clock).
    const ended = new Map<string, number>();
    h.host.bus.on('job.completed', (e) => void ended.set(e.vm, Date.now()));
    await h.host.start();
    const running = await h.waitFor('job.started', undefined, 30_000);
    const oldDigest = h.host.snapshot().imageDigest!;

    const newDigest = await h.sim.tart.publishImage(h.sim.imageRef, { populateHome: (home) => installFakeRunner(home) });
    clock.skip(16 * 60_000); // the scheduled check is due
    await h.waitFor('image.current', (e) => e.digest === newDigest, 15_000);
    const [second] = await h.sim.enqueue(1, { durationMs: 400 });
    const done = await h.waitForCount('job.completed', 2, undefined, 30_000);

    expect(done.map((e) => e.imageDigest)).toEqual([oldDigest, newDigest]);
    expect(done[0].vm).toBe(running.vm);
    expect(tartCalls(h, 'clone', running.vm)[0].argv[1]).toContain(oldDigest);
    expect(tartCalls(h, 'clone', done[1].vm)[0].argv[1]).toContain(newDigest);
    // The running VM was never restarted or stopped before its job ended.
    expect(tartCalls(h, 'run', running.vm)).toHaveLength(1);
    expect(tartCalls(h, 'stop', running.vm).every((c) => c.startedAt >= ended.get(running.vm)!)).toBe(true);
    // The cache budget keeps the new digest and drops the old one; TART_HOME itself is never wiped.
    const cache = await ociCache(h);
    expect(cache.some((n) => n.includes(newDigest))).toBe(true);
    expect(cache.some((n) => n.includes(oldDigest))).toBe(false);
    expect(fs.existsSync(path.join(h.sim.tart.tartHome, 'vms'))).toBe(true);
    await expectJobsDoneOnce(h, [first, second]);
    await shutdownClean(h);
  });

  const registryFaults = [
    ['tart.registry_401', 'registry_auth', /registry refused the credentials/],
    ['tart.registry_404', 'image_not_found', /image does not exist/],
  ] as const;
  for (const [fault, reason, message] of registryFaults) {
    test(`#47 ${fault} gives one typed host error (${reason}) and no retry storm`, async (open) => {
      const h = await expectOneHostError(open, fault, reason, message);
      // Each pull attempt asks for the manifest once: the first, one per re-check, and the good one.
      expect(h.sim.tart.registryRequests().filter((r) => r.what === 'manifest').length).toBeLessThanOrEqual(4);
    });
  }

  test('#48 tart.pull_network_error(3): the pull succeeds after three retries, the retry lines in the slot log', async (open) => {
    const h = await open({ slots: 1, timeScale: SIM_SPEED, start: false });
    h.sim.tart.setFault('tart.pull_network_error', { n: 3 }, { times: 1 });
    const ids = await h.sim.enqueue(1, { durationMs: 400 });
    await h.host.start();
    const done = await h.waitFor('job.completed', undefined, 30_000);

    const retries = h.host.logs.tail().filter((e) => /^Error pulling image: ".*", attempting to re-try\.\.\.$/.test(e.text));
    expect(retries).toHaveLength(3);
    for (const line of retries) expect(line).toMatchObject({ slot: 0, vm: done.vm, source: 'tart' });
    expect(h.of('image.pulled')[0]).toMatchObject({ result: 'updated' });
    expect(h.of('failure')).toEqual([]);
    expect(tartCalls(h, 'pull')).toHaveLength(1);
    await expectJobsDoneOnce(h, ids);
    await shutdownClean(h);
  });

  test('#49 tart.keychain_locked: one host-level keychain_locked error with the fix, slots paused; clearing it resumes', async (open) => {
    await expectOneHostError(open, 'tart.keychain_locked', 'keychain_locked', /unlock the login keychain/);
  });
});
