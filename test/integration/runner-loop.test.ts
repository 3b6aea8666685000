import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

describe('the runner loop on a simulated host', () => {
  it('runs 10 jobs through 2 slots, each exactly once in its own VM, and leaves nothing behind', async () => {
    h = await startHarness({ slots: 2 });
    const ids = await h.sim.enqueue(10, { durationMs: 500 });
    const done = await h.waitForCount('job.completed', 10, undefined, 120_000);
    const leftovers = await h.shutdown('drain');

    expect(new Set(done.map((e) => e.job)).size).toBe(10);
    expect(new Set(done.map((e) => e.vm)).size).toBe(10);
    expect(new Set(done.map((e) => e.slot))).toEqual(new Set([0, 1]));
    const jobs = await h.sim.github.jobs();
    for (const id of ids) expect(jobs.find((j) => j.id === id)).toMatchObject({ status: 'completed', conclusion: 'success' });
    // Each job's repository and run, as the runner's diagnostics in its guest named them.
    for (const e of done) {
      const job = jobs.find((j) => j.name === e.job)!;
      expect({ repository: e.repository, runUrl: e.runUrl }, e.job).toEqual({ repository: job.repo, runUrl: `${h.sim.github.url}/${job.repo}/actions/runs/${job.run_id}` });
      expect(job.html_url.startsWith(`${e.runUrl}/`)).toBe(true);
    }
    expect(leftovers).toEqual({ vms: [], runners: [] });
    expect(h.of('failure')).toEqual([]);

    // Every clone got a random MAC, every run was headless, and tart never saw a secret.
    const calls = h.sim.tart.invocations();
    const clones = calls.filter((c) => c.argv[0] === 'clone').map((c) => c.argv[2]);
    const sets = calls.filter((c) => c.argv[0] === 'set' && c.argv.includes('--random-mac')).map((c) => c.argv[1]);
    expect(clones.length).toBeGreaterThanOrEqual(10);
    expect(new Set(sets)).toEqual(new Set(clones));
    for (const run of calls.filter((c) => c.argv[0] === 'run')) expect(run.argv).toContain('--no-graphics');
    const withoutNoPrune = calls.filter((c) => !c.present.TART_NO_AUTO_PRUNE).map((c) => c.argv.join(" "));
    expect(withoutNoPrune).toEqual([]);
  });

  it('never lets a secret reach a log line, a tart argument or the runner command line', async () => {
    h = await startHarness({ slots: 1 });
    await h.sim.enqueue(1, { durationMs: 300 });
    await h.waitFor('job.completed', undefined, 60_000);
    await h.shutdown('drain');

    const logs = h.logText();
    const argv = h.sim.tart.invocations().map((c) => c.argv.join(' ')).join('\n');
    const requests = await h.sim.github.requests();
    const jitMinted = requests.filter((r) => r.path.endsWith('/generate-jitconfig') && r.status === 201).length;
    expect(jitMinted).toBe(1);
    const secrets = [...h.sim.secrets, 'admin'];
    for (const secret of h.sim.secrets) {
      for (const line of secret.split('\n').filter((l) => l.length > 20)) {
        expect(logs).not.toContain(line);
        expect(argv).not.toContain(line);
      }
    }
    expect(secrets.length).toBeGreaterThan(1);
    expect(logs).toMatch(/Listening for Jobs/);
    expect(logs).not.toMatch(/ghs_[A-Za-z0-9_]{20,}/);
    expect(logs).not.toMatch(/[A-Za-z0-9+/=]{200,}/);
  });

  it('stop-now during a job interrupts the runner: the job ends cancelled and nothing is left, without waiting on a busy registration', async () => {
    h = await startHarness({ slots: 1 });
    const [id] = await h.sim.enqueue(1, { durationMs: 60_000 });
    await h.waitFor('job.started', undefined, 60_000);
    const leftovers = await h.shutdown('now');
    expect(leftovers).toEqual({ vms: [], runners: [] });
    // The registration was gone (or idle) by the time teardown looked: no DELETE answered 422.
    expect(h.of('runner.deleted', (e) => e.status === 422)).toEqual([]);
    expect(h.logText()).not.toMatch(/still busy on GitHub/);
    const job = (await h.sim.github.jobs()).find((j) => j.id === id);
    expect(job).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    expect(h.logText()).toMatch(/interrupting the runner/);
  });
});
