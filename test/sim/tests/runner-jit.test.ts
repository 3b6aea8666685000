// The fake runner with a JIT config: one job, the §6.3 transcript, ephemeral removal, and the
// configuration errors of §10 step 2.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { type RepoWorld, mintJit, raw, until } from './github-harness';
import { type RunnerHome, jobTranscript, useRunnerWorld } from './runner-harness';

const BASE64_ERROR =
  'The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.';

const ctx = useRunnerWorld((w) => w.gh.setConfig({ deleteLagMs: 200 }));
let world: RepoWorld;
let home: RunnerHome;
beforeEach(() => ({ world, home } = ctx));

const getRunner = (id: number) => raw(world.gh.apiUrl, 'GET', `/repos/acme/app/actions/runners/${id}`, { auth: `token ${world.fineGrained}` });

describe('a JIT runner', () => {
  it.each([
    ['Succeeded', 'success'],
    ['Failed', 'failure'],
    ['SucceededWithIssues', 'success'],
  ] as const)('takes one job that ends %s, prints the real transcript and its registration disappears', async (result, conclusion) => {
    const { id, jit } = await mintJit(world, `ekiden-h-0-${result}`);
    const job = await world.gh.enqueueJob({ repo: 'acme/app', name: 'build (macos, 15)', labels: ['self-hosted', 'macOS'], durationMs: 60_000, result });
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });

    await proc.waitFor(/Running job: build \(macos, 15\)$/);
    // While the job runs: a Runner.Worker child exists and REST shows the runner online and busy.
    await until('Runner.Worker', async () => proc.pids('Runner.Worker').length > 0);
    const busy = await getRunner(id);
    expect(busy.json).toMatchObject({ id, status: 'online', busy: true, version: '2.336.0', os: 'macos' });

    expect(await proc.exited).toBe(0);
    expect(proc.out()).toEqual(jobTranscript('build (macos, 15)', result));
    expect(proc.err()).toEqual([]);
    expect(proc.sessionPids()).toEqual([]);
    expect(await world.gh.job(job.id)).toMatchObject({ status: 'completed', conclusion, runner_id: id });
    await until('registration removed (404)', async () => (await getRunner(id)).status === 404);
    for (const f of ['.runner', '.credentials', '.credentials_rsaparams']) expect(existsSync(path.join(home.root, f))).toBe(false);
  });

  it('writes _diag logs without secrets', async () => {
    const { jit } = await mintJit(world, 'ekiden-h-0-diag');
    await world.gh.enqueueJob({ repo: 'acme/app', name: 'diag job', labels: ['self-hosted'], durationMs: 1000 });
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    expect(await proc.exited).toBe(0);
    const diag = readdirSync(path.join(home.root, '_diag'));
    expect(diag.some((f) => /^Runner_\d{8}-\d{6}-utc\.log$/.test(f))).toBe(true);
    expect(diag.some((f) => /^Worker_\d{8}-\d{6}-utc\.log$/.test(f))).toBe(true);
    const runnerLog = readFileSync(path.join(home.root, '_diag', diag.find((f) => f.startsWith('Runner_'))!), 'utf8');
    for (const line of runnerLog.trim().split('\n')) expect(line).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ INFO Runner\] /);
    const secret = JSON.parse(Buffer.from(JSON.parse(Buffer.from(jit, 'base64').toString())['.credentials'], 'base64').toString()).Data.fakeSecret;
    for (const f of diag) {
      const text = readFileSync(path.join(home.root, '_diag', f), 'utf8');
      expect(text).not.toContain(jit.slice(0, 40));
      expect(text).not.toContain(secret);
    }
  });

  it('takes --jitconfig over the env var and reports unknown flags on stderr, then runs', async () => {
    const { jit } = await mintJit(world, 'ekiden-h-0-flag');
    await world.gh.enqueueJob({ repo: 'acme/app', name: 'flag job', labels: ['self-hosted'], durationMs: 1000 });
    const proc = home.start('run.sh', ['--jitconfig', jit, '--disableupdate'], { ACTIONS_RUNNER_INPUT_JITCONFIG: 'not-base64!' });
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toEqual([
      "Unrecognized command-line input arguments for command run: 'disableupdate'. For usage refer to: .\\config.cmd --help or ./config.sh --help",
    ]);
    expect(proc.out()).toEqual(jobTranscript('flag job', 'Succeeded'));
  });

  it('reused after its job, the config hits "registration has been deleted" and exits 0', async () => {
    const { jit } = await mintJit(world, 'ekiden-h-0-reuse');
    await world.gh.enqueueJob({ repo: 'acme/app', name: 'first', labels: ['self-hosted'], durationMs: 1000 });
    expect(await home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit }).exited).toBe(0);
    const again = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    expect(await again.exited).toBe(0);
    expect(again.out()).toEqual([
      '',
      '√ Connected to GitHub',
      '',
      'Runner listener exit with terminated error, stop the service, no retry needed.',
      'Exiting runner...',
    ]);
    expect(again.err()).toEqual([
      'Failed to create a session. The runner registration has been deleted from the server, please re-configure. Runner registrations are automatically deleted for runners that have not connected to the service recently.',
    ]);
  });
});

describe('terminal output', () => {
  it('prints the √ in green and errors in red only on a TTY', async () => {
    const { id, jit } = await mintJit(world, 'ekiden-h-0-tty');
    await world.gh.deleteRunnerServerSide(id);
    const out = await new Promise<string>((resolve, reject) => {
      // script(1) gives the runner a pseudo-terminal; the JIT config travels in the environment.
      execFile(
        'script',
        ['-qfec', `bash ${path.join(home.root, 'run.sh')}`, '/dev/null'],
        { env: { PATH: process.env.PATH, HOME: home.home, SIM_RUNNER_UID: '501', ACTIONS_RUNNER_INPUT_JITCONFIG: jit }, timeout: 15_000 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
    expect(out).toContain('\x1b[32m√ \x1b[0mConnected to GitHub');
    expect(out).toContain('\x1b[31mThe runner no longer exists on the server. Please reconfigure the runner.\x1b[0m');
    expect(out).toContain('Exiting runner...');
  });
});

describe('run.sh configuration errors (listener 1, run.sh exit 0)', () => {
  const terminated = ['Runner listener exit with terminated error, stop the service, no retry needed.', 'Exiting runner...'];
  it.each([
    ['no JIT config and no .runner', {}, ['An error occurred: Not configured. Run config.(sh/cmd) to configure the runner.']],
    ['a JIT config that is not base64', { ACTIONS_RUNNER_INPUT_JITCONFIG: 'abc$def!' }, [BASE64_ERROR]],
    ['a JIT config with bad padding', { ACTIONS_RUNNER_INPUT_JITCONFIG: 'ab=c' }, [BASE64_ERROR]],
  ])('%s', async (_name, env, stderr) => {
    const proc = home.start('run.sh', [], env as Record<string, string>);
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toEqual(stderr);
    expect(proc.out()).toEqual(terminated);
  });

  it('refuses root without RUNNER_ALLOW_RUNASROOT (run-helper exit 1, run.sh exit 0)', async () => {
    const proc = home.start('run.sh', [], { SIM_RUNNER_UID: '0' });
    expect(await proc.exited).toBe(0);
    expect(proc.out()).toEqual(['Must not run interactively with sudo', 'Exiting runner...']);
  });
});
