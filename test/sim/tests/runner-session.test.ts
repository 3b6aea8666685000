// Session creation outcomes of github.md §10 step 3: conflict, deprecated version, connect errors
// (server 503 and a guest without network); field-failures #20, #32, #38.
import { beforeEach, describe, expect, it } from 'vitest';
import { type RepoWorld, mintJit } from './github-harness';
import { type RunnerHome, jobTranscript, makeRunnerHome, useRunnerWorld } from './runner-harness';

const ctx = useRunnerWorld();
let world: RepoWorld;
let home: RunnerHome;
beforeEach(() => ({ world, home } = ctx));

describe('session conflict', () => {
  it('retries every 30 s, gives up after 240 s with listener 5, run.sh exit 0', async () => {
    await world.gh.setFault('runner.session_conflict', { s: 300 });
    const { jit } = await mintJit(world, 'ekiden-h-0-conflict');
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toEqual([
      ...Array(8).fill('A session for this runner already exists.'),
      'Stop retry on SessionConflictException after retried for 240 seconds.',
      'Failed to create session. A session for this runner already exists.',
    ]);
    expect(proc.out()).toEqual([
      '',
      '√ Connected to GitHub',
      '',
      'Runner listener exit with Session Conflict error, stop the service, no retry needed.',
      'Exiting runner...',
    ]);
  });

  it('a second runner with the same JIT config conflicts while the first is connected', async () => {
    const { jit } = await mintJit(world, 'ekiden-h-0-twice');
    const first = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    await first.waitFor(/Listening for Jobs$/);
    const other = await makeRunnerHome();
    try {
      const second = other.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
      await second.waitFor(/^A session for this runner already exists\.$/, 10_000, 'err');
    } finally {
      await other.dispose();
    }
  });
});

describe('deprecated runner version', () => {
  const deprecated = 'An error occurred: Runner version v2.336.0 is deprecated and cannot receive messages.';

  it('prints the error and ends terminated (exit 0)', async () => {
    await world.gh.setConfig({ minRunnerVersion: '2.340.0' });
    const { jit } = await mintJit(world, 'ekiden-h-0-old');
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toEqual([deprecated]);
    expect(proc.out().slice(-2)).toEqual(['Runner listener exit with terminated error, stop the service, no retry needed.', 'Exiting runner...']);
  });

  it('exits 7 with ACTIONS_RUNNER_RETURN_VERSION_DEPRECATED_EXIT_CODE=1 (fault runner.deprecated)', async () => {
    await world.gh.setFault('runner.deprecated', { minVersion: '2.337.0' });
    const { jit } = await mintJit(world, 'ekiden-h-0-old7');
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit, ACTIONS_RUNNER_RETURN_VERSION_DEPRECATED_EXIT_CODE: '1' });
    expect(await proc.exited).toBe(7);
    expect(proc.err()).toEqual([deprecated]);
    expect(proc.out().slice(-2)).toEqual(['Runner listener exit with deprecated version exit code: 7.', 'Exiting runner...']);
  });
});

describe('connect errors', () => {
  it('a 503 outage prints the connect error once, then "Runner reconnected." and the job runs', async () => {
    await world.gh.setFault('runner.connect_error', { s: 60 });
    const { jit } = await mintJit(world, 'ekiden-h-0-503');
    await world.gh.enqueueJob({ repo: 'acme/app', name: 'after outage', labels: ['self-hosted'], durationMs: 1000 });
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toEqual([
      '<ts>: Runner connect error: Response status code does not indicate success: 503 (Service Unavailable). Retrying until reconnected.',
    ]);
    const out = proc.out();
    expect(out.slice(0, 4)).toEqual(['', '√ Connected to GitHub', '', '<ts>: Runner reconnected.']);
    expect(out.slice(4)).toEqual(jobTranscript('after outage', 'Succeeded').slice(3));
  });

  it('an outage while listening is reported once and recovers', async () => {
    const { jit } = await mintJit(world, 'ekiden-h-0-blip');
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    await proc.waitFor(/Listening for Jobs$/);
    await world.gh.setFault('runner.connect_error', { s: 40, message: 'Connection reset by peer' });
    await proc.waitFor(/Runner reconnected\.$/);
    expect(proc.err()).toEqual(['<ts>: Runner connect error: Connection reset by peer. Retrying until reconnected.']);
    await world.gh.enqueueJob({ repo: 'acme/app', name: 'later', labels: ['self-hosted'], durationMs: 1000 });
    expect(await proc.exited).toBe(0);
    expect(proc.out().at(-1)).toBe('Exiting runner...');
  });

  it('a guest without network (SIM_GUEST_NET=offline) prints the connect error once and keeps retrying', async () => {
    const { jit } = await mintJit(world, 'ekiden-h-0-offline');
    // Installed with the time scale: this runner never hears x-fake-time-scale.
    await home.dispose();
    home = await makeRunnerHome({ timeScale: 0.01 });
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit, SIM_GUEST_NET: 'offline' });
    const line = await proc.waitFor(/Runner connect error/, 10_000, 'err');
    expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: Runner connect error: Network is unreachable \(127\.0\.0\.1:\d+\)\. Retrying until reconnected\.$/);
    // Retries every 50 ms at this scale: several happen, the line stays single.
    await new Promise((r) => setTimeout(r, 400));
    expect(proc.count(/Runner connect error/)).toBe(1);
    expect(proc.pids('bin/Runner.Listener').length).toBe(1);
    expect(proc.count(/Listening for Jobs/)).toBe(0);
  });
});
