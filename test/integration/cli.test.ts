import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimHost, type SimHost } from '../sim/host';

const EKIDEN = path.resolve(__dirname, '../../bin/ekiden');
let sim: SimHost | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('ekiden CLI', () => {
  it.each([
    ['a missing guest password', (c: Record<string, any>) => delete c.guest.password, 'guest.password'],
    ['three slots', (c: Record<string, any>) => (c.vm.slots = 3), 'vm.slots'],
    ['an unknown field', (c: Record<string, any>) => (c.vm.slotz = 2), 'slotz'],
    ['a token written in clear', (c: Record<string, any>) => (c.github.auth = { kind: 'pat', token: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' }), 'github.auth.token'],
  ])('refuses to start with %s: exit 2, the field named, nothing started', async (_name, mutate, field) => {
    sim = await startSimHost({ slots: 1 });
    const config = JSON.parse(await readFile(sim.configPath, 'utf8'));
    mutate(config);
    await writeFile(sim.configPath, JSON.stringify(config), { mode: 0o600 });
    const result = await execa(EKIDEN, ['run', '--config', sim.configPath], { env: sim.env, reject: false, timeout: 60_000 });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(field);
    expect(result.stderr).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
    expect(sim.tart.invocations()).toEqual([]);
    expect((await sim.github.requests()).filter((r) => !r.path.startsWith('/_fake'))).toEqual([]);
  });

  it('reports a missing config file with its path and exit 2', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-cli-'));
    const missing = path.join(dir, 'nope.json');
    const result = await execa(EKIDEN, ['run', '--config', missing], { reject: false, timeout: 60_000 });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(missing);
  });

  it('prints usage and exits 2 without a command, 0 with --help', async () => {
    const none = await execa(EKIDEN, [], { reject: false, timeout: 60_000 });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('Usage: ekiden');
    const help = await execa(EKIDEN, ['--help'], { reject: false, timeout: 60_000 });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Usage: ekiden');
  });

  it('rejects an unknown command with usage and exit 2', async () => {
    const result = await execa(EKIDEN, ['fly'], { reject: false, timeout: 60_000 });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown command "fly"');
    expect(result.stderr).toContain('Usage: ekiden');
  });

  it('run --once takes one job per slot, drains on its own and leaves nothing; status then says not running', async () => {
    sim = await startSimHost({ slots: 1 });
    await sim.enqueue(1, { durationMs: 300 });
    const result = await execa(EKIDEN, ['run', '--once', '--config', sim.configPath], { env: sim.env, reject: false, timeout: 120_000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/job done: .* -> Succeeded/);
    expect(await sim.leftovers()).toEqual({ vms: [], runners: [] });
    const status = await execa(EKIDEN, ['status', '--config', sim.configPath], { env: sim.env, reject: false, timeout: 60_000 });
    expect(status.exitCode).toBe(3);
    expect(status.stdout).toContain('not running');
    expect(status.stdout).toContain('jobs completed: 1');
  });

  it('a Ctrl-C to the whole terminal process group drains: the running job finishes, then nothing is left', async () => {
    sim = await startSimHost({ slots: 1 });
    const child = execa(EKIDEN, ['run', '--config', sim.configPath], { env: sim.env, reject: false, detached: true, timeout: 120_000 });
    const lines: string[] = [];
    let onLine: () => void = () => {};
    child.stdout!.on('data', (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\n'));
      onLine();
    });
    const seen = (re: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} in:\n${lines.join('\n')}`)), 60_000);
        onLine = () => {
          if (lines.some((l) => re.test(l))) {
            clearTimeout(timer);
            resolve();
          }
        };
        onLine();
      });
    await seen(/listening/);
    const [id] = await sim.enqueue(1, { durationMs: 6000 });
    await seen(/job started/);
    // `status` meanwhile names the running job's repository and its run on GitHub.
    const job = await sim.github.job(id);
    const origin = `(${job.repo} ${sim.github.url}/${job.repo}/actions/runs/${job.run_id})`;
    let status = '';
    for (const deadline = Date.now() + 5_000; !status.includes(origin) && Date.now() < deadline; ) {
      status = (await execa(EKIDEN, ['status', '--config', sim.configPath], { env: sim.env, reject: false, timeout: 30_000 })).stdout;
    }
    expect(status).toMatch(/slot 0: running for \d+s vm \S+ job "/);
    expect(status).toContain(`job "${job.name}" ${origin}`);
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    process.kill(-child.pid!, 'SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/job done: .* -> Succeeded/);
    expect(result.stdout).not.toMatch(/FAILED/);
    expect(await sim.leftovers()).toEqual({ vms: [], runners: [] });
  });

  it('a second `ekiden run` on the same configuration refuses to start (exit 2) and leaves the first one alone', async () => {
    sim = await startSimHost({ slots: 1 });
    const first = execa(EKIDEN, ['run', '--config', sim.configPath], { env: sim.env, reject: false, timeout: 120_000 });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`first run never listened:\n${out}`)), 60_000);
      first.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/listening/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const second = await execa(EKIDEN, ['run', '--config', sim.configPath], { env: sim.env, reject: false, timeout: 60_000 });
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/another Ekiden \(pid \d+\) already runs/);
    expect(out).not.toMatch(/FAILED/);
    first.kill('SIGINT');
    expect((await first).exitCode).toBe(0);
    expect(await sim.leftovers()).toEqual({ vms: [], runners: [] });
  });

  it('run --once with two slots and one job drains after that job instead of waiting out the idle slot', async () => {
    sim = await startSimHost({ slots: 2 });
    await sim.enqueue(1, { durationMs: 300 });
    const result = await execa(EKIDEN, ['run', '--once', '--config', sim.configPath], { env: sim.env, reject: false, timeout: 110_000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.match(/job done:/g)).toHaveLength(1);
    expect(await sim.leftovers()).toEqual({ vms: [], runners: [] });
  });

  it('GitHub unreachable at start: run waits and retries instead of exiting, then serves; Ctrl-C while waiting exits 0', async () => {
    sim = await startSimHost({ slots: 1 });
    // Every attempt of the first start (plugin-retry's 3 retries included) meets a 503.
    await sim.github.setFault('gh.status', { route: '/orgs/octo-org/installation', status: 503 }, { times: 4 });
    const env = { ...sim.env, EKIDEN_START_RETRY_SECONDS: '1' };
    const result = await execa(EKIDEN, ['run', '--once', '--config', sim.configPath], { env, reject: false, timeout: 110_000 });
    // --once is a one-shot check: it fails at once (exit 1), naming the cause.
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/503/);

    await sim.github.setFault('gh.status', { route: '/orgs/octo-org/installation', status: 503 }, { times: 4 });
    await sim.enqueue(1, { durationMs: 300 });
    const child = execa(EKIDEN, ['run', '--config', sim.configPath], { env, reject: false, timeout: 110_000 });
    let out = '';
    const seen = (re: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} in:\n${out}`)), 90_000);
        const check = () => {
          if (re.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout!.on('data', (c: Buffer) => ((out += c.toString()), check()));
        child.stderr!.on('data', (c: Buffer) => ((out += c.toString()), check()));
        check();
      });
    await seen(/Ekiden cannot start: .*503.*; retrying in 1s/);
    await seen(/job done: /);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
    expect(await sim.leftovers()).toEqual({ vms: [], runners: [] });

    // Interrupted while waiting to retry: nothing was created, exit 0.
    await sim.github.setFault('gh.status', { route: '/orgs/octo-org/installation', status: 503 });
    const waiting = execa(EKIDEN, ['run', '--config', sim.configPath], { env: { ...sim.env, EKIDEN_START_RETRY_SECONDS: '600' }, reject: false, timeout: 110_000 });
    let waitOut = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never waited:\n${waitOut}`)), 90_000);
      waiting.stderr!.on('data', (c: Buffer) => {
        waitOut += c.toString();
        if (/retrying in 600s/.test(waitOut)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    waiting.kill('SIGINT');
    const stopped = await waiting;
    expect(stopped.exitCode).toBe(0);
    expect(stopped.stdout).toMatch(/stopped before starting; nothing was created/);
  });
});
