// Cancel, self-update, signals and the listener faults (github.md §10 steps 5, 8, 9 and §9.6
// runner faults; field-failures #8, #10, #33, #39).
import { beforeEach, describe, expect, it } from 'vitest';
import { type RepoWorld, mintJit, until } from './github-harness';
import { REGISTRATION_DELETED, type RunnerHome, jobTranscript, useRunnerWorld } from './runner-harness';


const ctx = useRunnerWorld();
let world: RepoWorld;
let home: RunnerHome;
beforeEach(() => ({ world, home } = ctx));

async function startWithLongJob(name: string, env: Record<string, string> = {}) {
  const { id, jit } = await mintJit(world, name);
  const job = await world.gh.enqueueJob({ repo: 'acme/app', name: 'long job', labels: ['self-hosted'], durationMs: 3_600_000 });
  const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit, ...env });
  await proc.waitFor(/Running job: long job$/);
  return { id, job, proc };
}

describe('cancel', () => {
  it('a cancelled job ends Canceled and the ephemeral runner cleans up', async () => {
    const { job, proc } = await startWithLongJob('ekiden-h-0-cancel');
    await world.gh.cancelJob(job.id);
    expect(await proc.exited).toBe(0);
    expect(proc.out()).toEqual(jobTranscript('long job', 'Canceled'));
    expect(await world.gh.job(job.id)).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
  });

  it('with runner.cancel_retryable the listener exits retryable and the restart finds the registration deleted', async () => {
    await world.gh.setFault('runner.cancel_retryable');
    const { job, proc } = await startWithLongJob('ekiden-h-0-cancel2');
    await world.gh.cancelJob(job.id);
    expect(await proc.exited).toBe(0);
    expect(proc.out()).toEqual([
      '',
      '√ Connected to GitHub',
      '',
      "Current runner version: '2.336.0'",
      '<ts>: Listening for Jobs',
      '<ts>: Running job: long job',
      '<ts>: Job long job completed with result: Canceled',
      'Runner listener exit with retryable error, re-launch runner in 5 seconds.',
      'Restarting runner...',
      '',
      '√ Connected to GitHub',
      '',
      'Runner listener exit with terminated error, stop the service, no retry needed.',
      'Exiting runner...',
    ]);
    expect(proc.err()).toEqual([REGISTRATION_DELETED]);
  });
});

describe('self-update', () => {
  it('runner.self_update: exits for the update, restarts with the new version and still runs one job', async () => {
    await world.gh.setFault('runner.self_update', { version: '2.337.0' });
    const { id, jit } = await mintJit(world, 'ekiden-h-0-update');
    const job = await world.gh.enqueueJob({ repo: 'acme/app', name: 'after update', labels: ['self-hosted'], durationMs: 1000 });
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    expect(await proc.exited).toBe(0);
    expect(proc.out()).toEqual([
      '',
      '√ Connected to GitHub',
      '',
      "Current runner version: '2.336.0'",
      '<ts>: Listening for Jobs',
      '<ts>: Runner update in progress, do not shutdown runner.',
      '<ts>: Downloading 2.337.0 runner',
      '<ts>: Waiting for current job finish running.',
      '<ts>: Generate and execute update script.',
      '<ts>: Runner will exit shortly for update, should be back online within 10 seconds.',
      'Runner listener exit because of updating, re-launch runner after successful update',
      'Update finished successfully.',
      'Restarting runner...',
      ...jobTranscript('after update', 'Succeeded', '2.337.0'),
    ]);
    expect(await world.gh.job(job.id)).toMatchObject({ status: 'completed', runner_id: id });
  });
});

describe('signals', () => {
  it('SIGINT to the listener mid-job: "Exiting...", the job ends Canceled, listener 0', async () => {
    const { job, proc } = await startWithLongJob('ekiden-h-0-int');
    proc.signalListener('SIGINT');
    expect(await proc.exited).toBe(0);
    expect(proc.out()).toEqual([
      ...jobTranscript('long job', 'Canceled').slice(0, 6),
      'Exiting...',
      '<ts>: Job long job completed with result: Canceled',
      'Runner listener exit with 0 return code, stop the service, no retry needed.',
      'Exiting runner...',
    ]);
    expect(await world.gh.job(job.id)).toMatchObject({ conclusion: 'cancelled' });
  });

  it('SIGTERM to an idle listener: no "Exiting...", listener 0, the runner goes offline', async () => {
    const { id, jit } = await mintJit(world, 'ekiden-h-0-term');
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    await proc.waitFor(/Listening for Jobs$/);
    proc.signalListener('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.out().slice(-3)).toEqual([
      '<ts>: Listening for Jobs',
      'Runner listener exit with 0 return code, stop the service, no retry needed.',
      'Exiting runner...',
    ]);
    const r = (await world.gh.runners()).find((x) => x.id === id);
    expect(r?.status).toBe('offline');
  });

  it('RUNNER_MANUALLY_TRAP_SIG=1: run.sh forwards SIGTERM to the helper group and exits with its code', async () => {
    const { proc } = await startWithLongJob('ekiden-h-0-trap', { RUNNER_MANUALLY_TRAP_SIG: '1' });
    process.kill(proc.pid, 'SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.out().slice(-5)).toEqual([
      '<ts>: Running job: long job',
      'Exiting...',
      '<ts>: Job long job completed with result: Canceled',
      'Runner listener exit with 0 return code, stop the service, no retry needed.',
      'Exiting runner...',
    ]);
  });

  it('without RUNNER_MANUALLY_TRAP_SIG a SIGTERM to run.sh does not reach the listener', async () => {
    const { job, proc } = await startWithLongJob('ekiden-h-0-notrap');
    process.kill(proc.pid, 'SIGTERM');
    await proc.scriptExited;
    await new Promise((r) => setTimeout(r, 200));
    expect(proc.pids('bin/Runner.Listener').length).toBe(1);
    expect((await world.gh.job(job.id)).status).toBe('in_progress');
  });
});

describe('hangups', () => {
  const hangup = (pids: number[]) => pids.forEach((pid) => process.kill(pid, 'SIGHUP'));

  it('a runner started under nohup survives SIGHUP to its whole session and finishes its job', async () => {
    const { id, jit } = await mintJit(world, 'ekiden-h-0-nohup');
    const job = await world.gh.enqueueJob({ repo: 'acme/app', name: 'survivor', labels: ['self-hosted'], durationMs: 60_000 });
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit }, ['nohup']);
    await proc.waitFor(/Running job: survivor$/);
    hangup(proc.sessionPids());
    expect(await proc.exited).toBe(0);
    expect(proc.out()).toEqual(jobTranscript('survivor', 'Succeeded'));
    expect(await world.gh.job(job.id)).toMatchObject({ status: 'completed', conclusion: 'success', runner_id: id });
  });

  it('without nohup, SIGHUP ends the runner', async () => {
    const { proc } = await startWithLongJob('ekiden-h-0-hup');
    hangup(proc.sessionPids());
    await until('every process gone', async () => proc.sessionPids().length === 0);
  });
});

describe('worker death', () => {
  it('a Runner.Worker that dies mid-job fails the job', async () => {
    const { job, proc } = await startWithLongJob('ekiden-h-0-worker');
    const [worker] = proc.pids('bin/Runner.Worker');
    process.kill(worker, 'SIGKILL');
    expect(await proc.exited).toBe(0);
    expect(proc.out()).toEqual(jobTranscript('long job', 'Failed'));
    expect(await world.gh.job(job.id)).toMatchObject({ conclusion: 'failure' });
  });
});

describe('listener faults', () => {
  it('runner.retryable_crash: listener exits 2 once, run.sh restarts it and the job runs', async () => {
    await world.gh.setFault('runner.retryable_crash');
    const { jit } = await mintJit(world, 'ekiden-h-0-crash2');
    await world.gh.enqueueJob({ repo: 'acme/app', name: 'after crash', labels: ['self-hosted'], durationMs: 1000 });
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toEqual(['An error occurred: The HTTP request timed out after 00:01:00.']);
    expect(proc.out()).toEqual([
      ...jobTranscript('after crash', 'Succeeded').slice(0, 5),
      'Runner listener exit with retryable error, re-launch runner in 5 seconds.',
      'Restarting runner...',
      ...jobTranscript('after crash', 'Succeeded'),
    ]);
  });

  it('runner.crash: the listener is killed mid-job, run-helper reports 137, no worker survives', async () => {
    await world.gh.setFault('runner.crash', { afterS: 30 });
    const { job, proc } = await startWithLongJob('ekiden-h-0-crash');
    expect(await proc.exited).toBe(0);
    expect(proc.out().slice(-2)).toEqual(['Exiting with unknown error code: 137', 'Exiting runner...']);
    await until('no Runner.Worker left', async () => proc.sessionPids().length === 0);
    // The server notices the lost session: the runner goes offline and the job fails.
    await until('job failed', async () => (await world.gh.job(job.id)).status === 'completed');
    expect((await world.gh.job(job.id)).conclusion).toBe('failure');
  });

  it('runner.hang: prints nothing more and never exits', async () => {
    await world.gh.setFault('runner.hang', { afterS: 5 });
    const { jit } = await mintJit(world, 'ekiden-h-0-hang');
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    await proc.waitFor(/Listening for Jobs$/);
    // The hang begins 50 ms after the session; leave it ample time.
    await new Promise((r) => setTimeout(r, 500));
    const before = proc.lines.length;
    await world.gh.enqueueJob({ repo: 'acme/app', name: 'never', labels: ['self-hosted'], durationMs: 1000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(proc.lines.length).toBe(before);
    expect(proc.pids('bin/Runner.Listener').length).toBe(1);
    expect(proc.child.exitCode).toBeNull();
  });
});
