// Field failures #8, #33, #38, #39, #41 and runner.crash (field-failures.md §A, §C, §D): what the
// actions runner does at the end of a job, on cancel, on update, when too old or when it dies, and
// how Ekiden classifies it from its lines (run.sh exits 0 in almost every case).
// Every test has its own simulated host, so they run concurrently.
import { describe, expect, it } from 'vitest';
import type { PipelineResult } from '../../src-main/core/events/types';
import type { JobResult } from '../sim/github';
import {
  expectCleanShutdown, expectEachJobOnce, logEntries, logLines, openHarness, runJobs, waitSlotState, withTimeouts,
} from './support/gh-faults';

const TS = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: `;
const vmDeleted = (calls: { argv: string[] }[], vm: string) => calls.some((c) => c.argv[0] === 'delete' && c.argv[1] === vm);
/** The exit code of run.sh as Ekiden saw it (its log line at the runner's end). */
const runShExits = (lines: string[]) => lines.map((l) => /^run\.sh exited with code (-?\d+|unknown)/.exec(l)?.[1]).filter(Boolean);

describe.concurrent('runner faults', () => {
  it('#8 a job cancelled mid-run ends "completed with result: Canceled" and its VM is deleted', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    const [id] = await h.sim.enqueue(1, { durationMs: 30_000 });
    const name = (await h.sim.github.job(id)).name;
    const started = await h.waitFor('job.started', (e) => e.job === name, 30_000);
    await h.sim.github.cancelJob(id);

    const done = await h.waitFor('job.completed', (e) => e.job === name, 15_000);
    expect(done).toMatchObject({ vm: started.vm, runnerResult: 'Canceled', result: 'cancellation' });
    expect(done.seconds).toBeLessThan(20);
    expect(logLines(h, started.vm).some((l) => new RegExp(`^${TS}Job ${name.replace(/[()#]/g, '\\$&')} completed with result: Canceled$`).test(l))).toBe(true);
    expect((await h.waitFor('cycle.completed', (e) => e.vm === started.vm)).outcome).toBe('job_completed');
    expect(vmDeleted(h.sim.tart.invocations(), started.vm)).toBe(true);
    await expectEachJobOnce(h, [id], 'cancelled');

    await runJobs(h, 1);
    await expectCleanShutdown(h);
  });

  it('#8 a runner that hangs after its job is torn down at the finishing timeout', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1, configure: withTimeouts({ finishing: 2 }) });
    await h.sim.github.setFault('runner.hang', { afterS: 0, afterJob: true }, { times: 1 });
    const [id] = await h.sim.enqueue(1, { durationMs: 300 });
    const done = await h.waitFor('job.completed', undefined, 30_000);

    const finishing = await h.waitFor('phase.completed', (e) => e.phase === 'finishing' && e.vm === done.vm, 10_000);
    expect(finishing.outcome).toBe('timeout');
    expect(finishing.seconds).toBeGreaterThanOrEqual(2);
    expect(finishing.seconds).toBeLessThan(5);
    expect(h.of('failure', (e) => e.vm === done.vm)).toMatchObject([{ reason: 'finishing_timeout', phase: 'finishing' }]);
    expect((await h.waitFor('cycle.completed', (e) => e.vm === done.vm)).outcome).toBe('job_completed');
    expect(vmDeleted(h.sim.tart.invocations(), done.vm)).toBe(true);
    expect(logLines(h, done.vm)).not.toContain('Exiting runner...');
    await expectEachJobOnce(h, [id]);

    await runJobs(h, 1);
    await expectCleanShutdown(h);
  });

  it('#33 runner.cancel_retryable + cancel: counted once as cancellation, VM removed, no second cycle on it', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    await h.sim.github.setFault('runner.cancel_retryable');
    const [id] = await h.sim.enqueue(1, { durationMs: 30_000 });
    const name = (await h.sim.github.job(id)).name;
    const started = await h.waitFor('job.started', (e) => e.job === name, 30_000);
    await h.sim.github.cancelJob(id);

    const done = await h.waitFor('job.completed', (e) => e.job === name, 15_000);
    expect(done).toMatchObject({ vm: started.vm, runnerResult: 'Canceled', result: 'cancellation' });
    expect((await h.waitFor('cycle.completed', (e) => e.vm === started.vm, 30_000)).outcome).toBe('job_completed');
    await h.sim.github.clearFaults();
    // The restart noise after the cancel ends nothing twice and starts nothing on that VM.
    expect(h.of('job.started', (e) => e.vm === started.vm)).toHaveLength(1);
    expect(h.of('job.completed', (e) => e.vm === started.vm)).toHaveLength(1);
    expect(h.of('cycle.completed', (e) => e.vm === started.vm)).toHaveLength(1);
    expect(h.of('failure', (e) => e.vm === started.vm)).toEqual([]);
    expect(vmDeleted(h.sim.tart.invocations(), started.vm)).toBe(true);
    await expectEachJobOnce(h, [id], 'cancelled');

    await runJobs(h, 1);
    await expectCleanShutdown(h);
  });

  it('#38 a runner below minRunnerVersion: the deprecation line blocks the slots with one host-wide runner_deprecated', async (ctx) => {
    const h = await openHarness(ctx, { slots: 2, start: false });
    await h.sim.github.setConfig({ minRunnerVersion: '2.340.0' });
    await h.host.start();

    const failures = await h.waitForCount('failure', 2, (e) => e.reason === 'runner_deprecated', 30_000);
    expect(new Set(failures.map((f) => f.slot))).toEqual(new Set([0, 1]));
    for (const f of failures) {
      expect(f.hostWide).toBe(true);
      expect(f.detail).toBe('An error occurred: Runner version v2.336.0 is deprecated and cannot receive messages.');
      expect(f.message).toMatch(/rebuild the image/);
    }
    const hostError = await h.waitFor('host.state', (e) => e.hostError?.reason === 'runner_deprecated');
    expect(hostError.hostError!.message).toBe(failures[0].message);
    // Both slots wait under the one host error: no retry storm, one message.
    const last = failures[1].at;
    await Promise.all([0, 1].map((slot) => h.waitFor('slot.state', (e) => e.slot === slot && e.state === 'idle' && e.at >= last, 10_000)));
    expect(h.host.snapshot()).toMatchObject({ hostError: { reason: 'runner_deprecated' }, slots: [{ state: 'idle' }, { state: 'idle' }] });
    expect(logLines(h).filter((l) => l.startsWith('host-wide problem, all slots wait: runner_deprecated'))).toHaveLength(1);
    expect(h.of('job.started')).toEqual([]);

    // The operator ships a current runner (here: GitHub lowers the bar) and resumes.
    await h.sim.github.setConfig({ minRunnerVersion: null });
    await h.host.resume();
    await runJobs(h, 1, 300, 45_000);
    expect(h.host.snapshot().hostError).toBeUndefined();
    await expectCleanShutdown(h);
  });

  it('#39 runner.self_update(2.337.0): the runner updates and restarts, and the cycle still completes exactly one job', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    await h.sim.github.setFault('runner.self_update', { version: '2.337.0' });
    const ids = await h.sim.enqueue(1, { durationMs: 300 });
    const done = await h.waitFor('job.completed', undefined, 45_000);

    const lines = logLines(h, done.vm);
    expect(lines).toContain('Runner listener exit because of updating, re-launch runner after successful update');
    expect(lines).toContain('Update finished successfully.');
    expect(lines).toContain('Restarting runner...');
    expect(h.of('runner.version', (e) => e.slot === 0).map((e) => e.version).slice(0, 2)).toEqual(['2.336.0', '2.337.0']);
    expect((await h.waitFor('cycle.completed', (e) => e.vm === done.vm)).outcome).toBe('job_completed');
    await h.sim.github.clearFaults();
    expect(h.of('job.started', (e) => e.vm === done.vm)).toHaveLength(1);
    expect(h.of('failure')).toEqual([]);
    await expectEachJobOnce(h, ids);
    await expectCleanShutdown(h);
  });

  // github.md §10 and §6.3: run.sh exits 0 whatever the job's result; Ekiden classifies from the
  // `completed with result:` line.
  it('#41 every job result is classified from the runner lines while run.sh exits 0', async (ctx) => {
    const h = await openHarness(ctx, { slots: 2 });
    const table: [JobResult, PipelineResult, string][] = [
      ['Succeeded', 'success', 'success'],
      ['SucceededWithIssues', 'success', 'success'],
      ['Failed', 'failure', 'failure'],
      ['Skipped', 'skip', 'skipped'],
      ['Abandoned', 'failure', 'failure'],
    ];
    const rows = [];
    for (const [result, pipeline, conclusion] of table) {
      const [id] = await h.sim.enqueue(1, { durationMs: 300, result, name: () => `classify ${result}` });
      rows.push({ id, result, pipeline, conclusion });
    }
    await h.waitForCount('job.completed', table.length, undefined, 60_000);
    for (const row of rows) {
      const done = h.of('job.completed', (e) => e.job === `classify ${row.result}`);
      expect(done, row.result).toMatchObject([{ runnerResult: row.result, result: row.pipeline }]);
      await expectEachJobOnce(h, [row.id], row.conclusion);
      const cycle = await h.waitFor('cycle.completed', (e) => e.vm === done[0].vm);
      expect(cycle.outcome, row.result).toBe('job_completed');
      expect(runShExits(logLines(h, done[0].vm)), row.result).toEqual(['0']);
    }
    expect(h.of('failure')).toEqual([]);
    await expectCleanShutdown(h);
  });

  it('#41 a retryable listener crash before any job restarts the runner and is not a failure', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1 });
    await h.sim.github.setFault('runner.retryable_crash', {}, { times: 1 });
    const first = await waitSlotState(h, 0, 'listening');
    await h.waitFor('log', (e) => e.entry.vm === first.vm && e.entry.text === 'Restarting runner...', 20_000);
    const ids = await h.sim.enqueue(1, { durationMs: 300 });
    const done = await h.waitFor('job.completed', undefined, 30_000);
    expect(done.vm).toBe(first.vm);
    expect(logLines(h, first.vm)).toContain('Runner listener exit with retryable error, re-launch runner in 5 seconds.');
    expect(h.of('failure')).toEqual([]);
    await expectEachJobOnce(h, ids);
    await expectCleanShutdown(h);
  });

  // Time runs 10x faster in the fake GitHub and runner here, so the lost job is declared failed
  // within seconds (GitHub's own lost-runner timeout) instead of a minute.
  it('runner.crash mid-job: a runner_crashed failure with its cause, the VM torn down, the job failed once', async (ctx) => {
    const h = await openHarness(ctx, { slots: 1, timeScale: 0.1 });
    await h.sim.github.setFault('runner.crash', { afterS: 20 }, { times: 1 });
    const [id] = await h.sim.enqueue(1, { durationMs: 300_000 });
    const name = (await h.sim.github.job(id)).name;
    const started = await h.waitFor('job.started', (e) => e.job === name, 30_000);

    const failure = await h.waitFor('failure', (e) => e.vm === started.vm, 20_000);
    expect(failure).toMatchObject({ reason: 'runner_crashed', hostWide: false });
    expect(failure.detail).toBe('Exiting with unknown error code: 137');
    expect(logEntries(h, started.vm).map((e) => e.text)).toContain('Exiting with unknown error code: 137');
    const cycle = await h.waitFor('cycle.completed', (e) => e.vm === started.vm, 30_000);
    expect(cycle.outcome).toBe('failed');
    expect(vmDeleted(h.sim.tart.invocations(), started.vm)).toBe(true);
    // GitHub fails the lost job; it is neither completed by Ekiden nor run a second time.
    expect(await h.sim.github.job(id)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(h.of('job.started', (e) => e.job === name)).toHaveLength(1);
    expect(h.of('job.completed', (e) => e.job === name)).toEqual([]);

    await runJobs(h, 1, 300, 45_000);
    await expectCleanShutdown(h);
  });
});
