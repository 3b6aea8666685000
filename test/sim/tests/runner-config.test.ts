// The registration-token fallback: config.sh transcripts of github.md §6.1 / §10, then run.sh on
// the configured runner; config.sh remove. Also the same flow against ghes mode.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGitHub } from '../github/index';
import { type RepoWorld, raw, seedRepoWorld } from './github-harness';
import { type RunnerHome, jobTranscript, makeRunnerHome } from './runner-harness';

let world: RepoWorld | undefined;
let home: RunnerHome | undefined;

afterEach(async () => {
  await home?.dispose();
  await world?.gh.close();
  home = undefined;
  world = undefined;
});

async function setup(mode: 'dotcom' | 'ghes' = 'dotcom') {
  world = await seedRepoWorld({ timeScale: 0.01, mode });
  home = await makeRunnerHome();
  return { world, home };
}

async function token(w: RepoWorld, kind: 'registration-token' | 'remove-token' = 'registration-token'): Promise<string> {
  const r = await raw(w.gh.apiUrl, 'POST', `/repos/acme/app/actions/runners/${kind}`, { auth: `token ${w.fineGrained}` });
  expect(r.status).toBe(201);
  const body = r.json as { token: string; expires_at: string };
  expect(body.token).toMatch(/^[A-Z0-9]{29}$/);
  expect(body.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
  return body.token;
}

const BANNER = [
  '--------------------------------------------------------------------------------',
  '|        ____ _ _   _   _       _          _        _   _                      |',
  '|       / ___(_) |_| | | |_   _| |__      / \\   ___| |_(_) ___  _ __  ___      |',
  "|      | |  _| | __| |_| | | | | '_ \\    / _ \\ / __| __| |/ _ \\| '_ \\/ __|     |",
  '|      | |_| | | |_|  _  | |_| | |_) |  / ___ \\ (__| |_| | (_) | | | \\__ \\     |',
  '|       \\____|_|\\__|_| |_|\\__,_|_.__/  /_/   \\_\\___|\\__|_|\\___/|_| |_|___/     |',
  '|                                                                              |',
  '|                       Self-hosted runner registration                        |',
  '|                                                                              |',
  '--------------------------------------------------------------------------------',
];

const nonBlank = (lines: string[]) => lines.filter((l) => l !== '');

describe('config.sh', () => {
  it.each(['dotcom', 'ghes'] as const)('(%s) registers an ephemeral runner with the real transcript; run.sh then takes one job', async (mode) => {
    const { world, home } = await setup(mode);
    const url = `${world.gh.url}/acme/app`;
    const cfg = home.start('config.sh', ['--unattended', '--url', url, '--token', await token(world), '--name', 'mac-fallback', '--labels', 'gpu', '--ephemeral', '--disableupdate']);
    expect(await cfg.exited).toBe(0);
    expect(cfg.err()).toEqual([]);
    expect(nonBlank(cfg.out())).toEqual([
      ...BANNER,
      '# Authentication',
      '√ Connected to GitHub',
      '# Runner Registration',
      '√ Runner successfully added',
      '√ Runner connection is good',
      '# Runner settings',
      '√ Settings Saved.',
    ]);
    // Sections are blank line, "# title", blank line.
    const out = cfg.out();
    const i = out.indexOf('# Authentication');
    expect([out[i - 1], out[i + 1]]).toEqual(['', '']);

    const settings = JSON.parse(readFileSync(path.join(home.root, '.runner'), 'utf8'));
    expect(settings).toMatchObject({ AgentName: 'mac-fallback', GitHubUrl: url, Ephemeral: true, DisableUpdate: true, WorkFolder: '_work' });
    const listed = await raw(world.gh.apiUrl, 'GET', '/repos/acme/app/actions/runners?name=mac-fallback', { auth: `token ${world.fineGrained}` });
    const runner = (listed.json as { runners: { id: number; labels: { name: string; type: string }[] }[] }).runners[0];
    expect(runner.labels.map((l) => [l.name, l.type])).toEqual([
      ['self-hosted', 'read-only'],
      ['macOS', 'read-only'],
      ['ARM64', 'read-only'],
      ['gpu', 'custom'],
    ]);

    await world.gh.enqueueJob({ repo: 'acme/app', name: 'fallback job', labels: ['self-hosted', 'gpu'], durationMs: 1000 });
    const run = home.start('run.sh');
    expect(await run.exited).toBe(0);
    expect(run.out()).toEqual(jobTranscript('fallback job', 'Succeeded'));
    expect(existsSync(path.join(home.root, '.runner'))).toBe(false);
  });

  it('an unknown or expired token gives the 404 transcript on stderr, exit 1', async () => {
    const { world, home } = await setup();
    await world.gh.setFault('gh.token_expire_early');
    const expired = await token(world);
    for (const t of ['NOSUCHTOKEN0000000000000000000', expired]) {
      const cfg = home.start('config.sh', ['--unattended', '--url', `${world.gh.url}/acme/app`, '--token', t]);
      expect(await cfg.exited).toBe(1);
      const err = cfg.err();
      expect(err[0]).toMatch(
        new RegExp(`^Http response code: NotFound from 'POST ${world.gh.url}/api/v3/actions/runner-registration' \\(Request Id: [0-9A-F:]+\\)$`),
      );
      expect(err.slice(1)).toEqual([
        '{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}',
        'Response status code does not indicate success: 404 (Not Found).',
      ]);
      expect(nonBlank(cfg.out()).slice(-1)).toEqual(['# Authentication']);
    }
    // No retry after a 404: one registration call per attempt.
    const calls = (await world.gh.requests()).filter((r) => r.route === 'runner-registration');
    expect(calls.map((c) => c.status)).toEqual([404, 404]);
  });

  it.each([
    [2, 0, [500, 500, 200]],
    [3, 1, [500, 500, 500]],
  ])('retries runner-registration on 5xx up to 3 tries (%i failures -> exit %i)', async (failures, code, statuses) => {
    const { world, home } = await setup();
    await world.gh.setFault('gh.status', { route: 'runner-registration', status: 500, times: failures });
    const cfg = home.start('config.sh', ['--unattended', '--url', `${world.gh.url}/acme/app`, '--token', await token(world)]);
    expect(await cfg.exited).toBe(code);
    expect((await world.gh.requests()).filter((r) => r.route === 'runner-registration').map((r) => r.status)).toEqual(statuses);
    if (code === 1) {
      expect(cfg.err()[0]).toMatch(/^Http response code: InternalServerError from 'POST .*\/api\/v3\/actions\/runner-registration' \(Request Id: /);
      expect(cfg.err().slice(1)).toEqual([
        '{"message":"Server Error","documentation_url":"https://docs.github.com/rest","status":"500"}',
        'Response status code does not indicate success: 500 (Internal Server Error).',
      ]);
    }
  });

  it('a duplicate name fails without --replace and is replaced with it', async () => {
    const { world, home } = await setup();
    const reg = await token(world);
    const url = `${world.gh.url}/acme/app`;
    expect(await home.start('config.sh', ['--unattended', '--url', url, '--token', reg, '--name', 'dup']).exited).toBe(0);
    const other = await makeRunnerHome();
    try {
      const dup = other.start('config.sh', ['--unattended', '--url', url, '--token', reg, '--name', 'dup']);
      expect(await dup.exited).toBe(1);
      expect(nonBlank(dup.out()).slice(-1)).toEqual(['A runner exists with the same name']);
      expect(dup.err()).toEqual(['A runner exists with the same name dup.']);
      const replaced = other.start('config.sh', ['--unattended', '--url', url, '--token', reg, '--name', 'dup', '--replace']);
      expect(await replaced.exited).toBe(0);
      expect(nonBlank(replaced.out()).slice(-6)).toEqual([
        '# Runner Registration',
        'A runner exists with the same name',
        '√ Successfully replaced the runner',
        '√ Runner connection is good',
        '# Runner settings',
        '√ Settings Saved.',
      ]);
    } finally {
      await other.dispose();
    }
  });

  it.each([
    ['already configured', true, [] as string[], "Cannot configure the runner because it is already configured. To reconfigure the runner, run 'config.cmd remove' or './config.sh remove' first."],
    ['--no-default-labels without --labels', false, ['--no-default-labels'], 'Disabling default labels via --no-default-labels without specifying --labels is not supported'],
  ])('%s fails with its message, exit 1', async (_name, configured, extra, message) => {
    const { world, home } = await setup();
    const reg = await token(world);
    const url = `${world.gh.url}/acme/app`;
    if (configured) expect(await home.start('config.sh', ['--unattended', '--url', url, '--token', reg, '--name', 'once']).exited).toBe(0);
    const cfg = home.start('config.sh', ['--unattended', '--url', url, '--token', reg, ...extra]);
    expect(await cfg.exited).toBe(1);
    expect(cfg.err()).toEqual([message]);
  });

  it('refuses root: "Must not run with sudo", exit 1', async () => {
    ({ home } = { home: await makeRunnerHome() });
    const cfg = home.start('config.sh', ['--unattended'], { SIM_RUNNER_UID: '0' });
    expect(await cfg.exited).toBe(1);
    expect(cfg.out()).toEqual(['Must not run with sudo']);
  });

  it('takes its arguments from ACTIONS_RUNNER_INPUT_* too', async () => {
    const { world, home } = await setup();
    const cfg = home.start('config.sh', ['--unattended'], {
      ACTIONS_RUNNER_INPUT_URL: `${world.gh.url}/acme/app`,
      ACTIONS_RUNNER_INPUT_TOKEN: await token(world),
      ACTIONS_RUNNER_INPUT_NAME: 'from-env',
    });
    expect(await cfg.exited).toBe(0);
    expect(JSON.parse(readFileSync(path.join(home.root, '.runner'), 'utf8')).AgentName).toBe('from-env');
  });

  it('remove --token deregisters and deletes the local files', async () => {
    const { world, home } = await setup();
    const url = `${world.gh.url}/acme/app`;
    expect(await home.start('config.sh', ['--unattended', '--url', url, '--token', await token(world), '--name', 'gone']).exited).toBe(0);
    const rm = home.start('config.sh', ['remove', '--token', await token(world, 'remove-token')]);
    expect(await rm.exited).toBe(0);
    expect(nonBlank(rm.out())).toEqual(['# Runner removal', '√ Runner removed successfully', '√ Removed .credentials', '√ Removed .runner']);
    const listed = await raw(world.gh.apiUrl, 'GET', '/repos/acme/app/actions/runners?name=gone', { auth: `token ${world.fineGrained}` });
    expect((listed.json as { total_count: number }).total_count).toBe(0);
    expect(existsSync(path.join(home.root, '.runner'))).toBe(false);
  });
});

describe('runner-registration endpoint', () => {
  it.each(['dotcom', 'ghes'] as const)('(%s) is served at /actions/runner-registration and /api/v3/...', async (mode) => {
    const gh = await startFakeGitHub({ mode });
    try {
      for (const p of ['/actions/runner-registration', '/api/v3/actions/runner-registration']) {
        const r = await raw(gh.url, 'POST', p, { auth: 'RemoteAuth NOPE', body: { url: `${gh.url}/acme/app`, runner_event: 'register' } });
        expect([r.status, r.json]).toEqual([404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }]);
      }
    } finally {
      await gh.close();
    }
  });
});
