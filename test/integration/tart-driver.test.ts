// TartCli against the simulator's fake tart (tart.md §10): commands, env, exits, and typed failures.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TartCli, type TartCliOptions } from '../../src-main/core/host/tart/tart-cli';
import { TartError } from '../../src-main/core/host/tart/tart-errors';
import { vmName } from '../../src-main/core/host/tart/vm-name';
import type { VmExit, VmHandle } from '../../src-main/core/host/vm-backend';
import { checkTartVersion } from '../../src-main/core/host/preflight';
import { createTartSim, type TartSim } from '../sim/tart';

const IMAGE = 'ghcr.io/cirruslabs/macos-sequoia-base:latest';
const PRIVATE = 'registry.example.com:5000/team/macos:15';
let sim: TartSim;
let tart: TartCli;
let imageDigest: string;
const handles: VmHandle[] = [];

function cli(extra: Partial<TartCliOptions> = {}): TartCli {
  return new TartCli({ tartPath: sim.tartPath, tartHome: sim.tartHome, home: sim.hostHome, path: process.env.PATH ?? '/usr/bin:/bin', ...extra });
}

async function until(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function running(name: string, t: TartCli = tart): Promise<boolean> {
  return (await t.list()).some((v) => v.name === name && v.running);
}

async function freshVm(): Promise<string> {
  const name = vmName('sim-host', 0);
  await tart.clone(IMAGE, name);
  await tart.configure(name, { randomMac: true });
  return name;
}

function start(name: string, t: TartCli = tart, lines?: string[]): VmHandle {
  const h = t.start(name, { onLine: (l) => lines?.push(l) });
  handles.push(h);
  return h;
}

async function failure(p: Promise<unknown>): Promise<TartError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(TartError);
  return e as TartError;
}

function exitError(exit: VmExit): TartError {
  expect(exit.error).toBeInstanceOf(TartError);
  return exit.error as TartError;
}

beforeAll(async () => {
  sim = await createTartSim({ bootDelayMs: 100, sshDelayMs: 150, agentDelayMs: 150, pullMs: 50 });
  imageDigest = await sim.publishImage(IMAGE);
  tart = cli();
});

afterEach(async () => {
  sim.clearFaults();
  for (const h of handles.splice(0)) h.kill();
  for (const v of await tart.list()) if (v.source === 'local') await tart.delete(v.name);
});

afterAll(async () => {
  await sim?.cleanup();
});

describe('TartCli against the simulated tart', () => {
  it('reports its version, which the preflight accepts', async () => {
    expect(await tart.version()).toBe('2.32.1');
    expect((await checkTartVersion(tart)).status).toBe('ok');
  });

  it('pull detects an unchanged tag, fqn names the digest, and a new digest behind the tag is a change', async () => {
    const lines: string[] = [];
    const first = await tart.pull(IMAGE, { onLine: (l) => lines.push(l) });
    expect(first.changed).toBe(true);
    expect(lines.slice(0, 2)).toEqual([`pulling ${IMAGE}...`, 'pulling manifest...']);
    expect(first.lines).toEqual(lines);
    expect(await tart.fqn(IMAGE)).toBe(`ghcr.io/cirruslabs/macos-sequoia-base@${imageDigest}`);

    const again = await tart.pull(IMAGE);
    expect(again.changed).toBe(false);
    expect(again.lines.at(-1)).toBe(`ghcr.io/cirruslabs/macos-sequoia-base@${imageDigest} image is already cached and linked!`);

    const newer = await sim.publishImage(IMAGE);
    expect((await tart.pull(IMAGE)).changed).toBe(true);
    expect(await tart.fqn(IMAGE)).toBe(`ghcr.io/cirruslabs/macos-sequoia-base@${newer}`);
    imageDigest = newer;
  });

  it('spawns tart by absolute path with only the explicit env, never a secret on argv', async () => {
    sim.setRegistryCredentials('registry.example.com:5000', 'robot', 'hunter2-secret');
    await sim.publishImage(PRIVATE);
    const authed = cli({ registry: { hostname: 'registry.example.com:5000', username: 'robot', password: 'hunter2-secret' } });
    await authed.pull(PRIVATE);
    const inv = sim.invocations().filter((i) => i.argv[0] === 'pull' && i.argv[1] === PRIVATE).at(-1)!;
    expect(inv.env).toMatchObject({
      HOME: sim.hostHome, TART_HOME: sim.tartHome, CI: '1', TART_NO_AUTO_PRUNE: '1',
      TART_REGISTRY_HOSTNAME: 'registry.example.com:5000', TART_REGISTRY_USERNAME: 'robot',
    });
    expect(inv.present.TART_REGISTRY_PASSWORD).toBe(true);
    // Nothing of the test runner's own environment leaks into tart's (PWD and SHLVL come from the
    // simulator's bash wrapper).
    const allowed = ['PWD', 'SHLVL', 'HOME', 'PATH', 'TART_HOME', 'CI', 'TART_NO_AUTO_PRUNE', 'TART_REGISTRY_HOSTNAME', 'TART_REGISTRY_USERNAME', 'TART_REGISTRY_PASSWORD'];
    expect(inv.envKeys.filter((k) => !allowed.includes(k))).toEqual([]);
    for (const i of sim.invocations()) expect(i.argv.join(' ')).not.toContain('hunter2-secret');
  });

  it('a registry that refuses us is registry-auth; a missing image is image-not-found', async () => {
    sim.setRegistryCredentials('registry.example.com:5000', 'robot', 'hunter2-secret');
    await sim.publishImage(PRIVATE);
    const wrong = cli({ registry: { hostname: 'registry.example.com:5000', username: 'robot', password: 'wrong' } });
    const auth = await failure(wrong.pull(PRIVATE));
    expect(auth).toMatchObject({ kind: 'registry-auth', reason: 'registry_auth', exitCode: 1 });
    expect(auth.stderrLine).toMatch(/^Error: /);

    const missing = await failure(tart.pull('ghcr.io/cirruslabs/no-such-image:latest'));
    expect(missing).toMatchObject({ kind: 'image-not-found', reason: 'image_not_found' });
    const uncached = await failure(tart.fqn('ghcr.io/cirruslabs/never-pulled:latest'));
    expect(uncached).toMatchObject({ kind: 'image-not-found' });
  });

  it('clone + set --random-mac gives a fresh MAC; get and list see the VM', async () => {
    await tart.pull(IMAGE);
    const a = vmName('sim-host', 0);
    await tart.clone(IMAGE, a);
    const imageMac = await tart.macAddress(a);
    await tart.configure(a, { randomMac: true, cpu: 4, memoryMb: 8192, diskSizeGb: 60 });
    const mac = await tart.macAddress(a);
    expect(mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(mac).not.toBe(imageMac);
    expect(await tart.get(a)).toMatchObject({ os: 'darwin', cpu: 4, memoryMb: 8192, diskGb: 60, running: false, state: 'stopped' });
    expect((await tart.list()).find((v) => v.name === a)).toMatchObject({ source: 'local', running: false, state: 'stopped' });
    const setArgs = sim.invocations().filter((i) => i.argv[0] === 'set').at(-1)!.argv;
    expect(setArgs).toEqual(['set', a, '--random-mac', '--cpu', '4', '--memory', '8192', '--disk-size', '60']);
  });

  it('start runs tart headless; ip answers; stop ends the child cleanly; stop and delete are idempotent', async () => {
    const name = await freshVm();
    const h = start(name);
    await until(() => running(name), 10_000, 'the VM to run');
    expect(tart.runningChildren()).toEqual([name]);
    const runArgs = sim.invocations().filter((i) => i.argv[0] === 'run').at(-1)!.argv;
    expect(runArgs).toEqual(['run', '--no-graphics', name]);
    expect(await tart.ip(name, { waitSeconds: 10 })).toMatch(new RegExp(`^${sim.ipBase.replace(/\./g, '\\.')}\\.\\d+$`));

    await tart.stop(name);
    const exit = await h.exited;
    expect(exit).toMatchObject({ code: 0, clean: true, reason: 'Stopping VM...' });
    expect(tart.runningChildren()).toEqual([]);
    expect(sim.invocations().filter((i) => i.argv[0] === 'stop').at(-1)!.argv).toEqual(['stop', name, '--timeout', '5']);

    await tart.stop(name); // not running: exit 2, counts as stopped
    await tart.delete(name);
    await tart.delete(name); // does not exist: exit 2, counts as deleted
    expect((await tart.list()).some((v) => v.name === name)).toBe(false);
  });

  it('--dir shares and extra args reach tart run; an unknown flag is a CLI mismatch (exit 64)', async () => {
    const name = await freshVm();
    const h = tart.start(name, { dirs: [{ name: 'cache', hostPath: sim.root, readOnly: true }], extraArgs: ['--no-such-flag'] });
    handles.push(h);
    const exit = await h.exited;
    expect(exit.code).toBe(64);
    expect(exitError(exit)).toMatchObject({ kind: 'cli-mismatch', reason: 'tart_cli_mismatch' });
    expect(exit.error!.message).toContain('check tart version');
    expect(sim.invocations().filter((i) => i.argv[0] === 'run').at(-1)!.argv).toEqual([
      'run', '--no-graphics', '--dir', `cache:${sim.root}:ro`, '--no-such-flag', name,
    ]);
  });

  it.each([
    ['tart.guest_error_stop', 'guest has stopped the virtual machine due to error: '],
    ['tart.network_disconnect', "virtual machine's network attachment "],
  ])('%s: tart exits 0, yet the VM failed (vm_error_stop) and the line is kept', async (fault, prefix) => {
    sim.setFault(fault, { afterS: 0.3 });
    const name = await freshVm();
    const lines: string[] = [];
    const exit = await start(name, tart, lines).exited;
    expect(exit.code).toBe(0);
    expect(exit.clean).toBe(false);
    expect(exitError(exit).reason).toBe('vm_error_stop');
    expect(exit.reason!.startsWith(prefix)).toBe(true);
    expect(lines).toContain(exit.reason);
  });

  it.each([
    ['tart.keychain_locked', 'keychain-locked', 'keychain_locked'],
    ['tart.run_start_fail', 'other', 'vm_start_failed'],
    ['tart.limit_leak', 'vm-limit', 'vm_limit_exceeded'],
  ])('%s: the start fails with exit 1 as %s', async (fault, kind, reason) => {
    sim.setFault(fault);
    const name = await freshVm();
    const exit = await start(name).exited;
    expect(exit).toMatchObject({ code: 1, clean: false });
    expect(exitError(exit)).toMatchObject({ kind, reason, exitCode: 1 });
    expect(exit.reason).toBe(exitError(exit).stderrLine);
  });

  it('a third macOS VM hits the limit with the other VMs named', async () => {
    const a = await freshVm();
    const b = await freshVm();
    start(a);
    start(b);
    await until(async () => (await running(a)) && (await running(b)), 10_000, 'two VMs');
    const c = await freshVm();
    const exit = await start(c).exited;
    expect(exitError(exit).kind).toBe('vm-limit');
    expect(exit.reason).toMatch(/^The number of VMs exceeds the system limit \(other running VMs: /);
  });

  it('a VM run twice: Ekiden refuses itself; another tart run gets "already running" (exit 2)', async () => {
    const name = await freshVm();
    start(name);
    await until(() => running(name), 10_000, 'the VM to run');
    expect(() => tart.start(name)).toThrow(TartError);
    const exit = await start(name, cli()).exited;
    expect(exit.code).toBe(2);
    expect(exitError(exit)).toMatchObject({ kind: 'already-running', reason: 'vm_already_running' });
  });

  it('delete of a running VM stops it first, then deletes', async () => {
    const name = await freshVm();
    const h = start(name);
    await until(() => running(name), 10_000, 'the VM to run');
    await tart.delete(name);
    expect((await h.exited).clean).toBe(true);
    expect((await tart.list()).some((v) => v.name === name)).toBe(false);
    expect(sim.invocations().filter((i) => i.argv[0] === 'delete' && i.argv[1] === name).map((i) => i.exitCode)).toEqual([1, 0]);
  });

  it('a tart run that ignores SIGINT is SIGKILLed by tart stop after --timeout', async () => {
    sim.setFault('tart.run_ignores_sigint');
    const name = await freshVm();
    const h = start(name);
    await until(() => running(name), 10_000, 'the VM to run');
    await tart.stop(name, { timeoutSeconds: 1 });
    expect(await h.exited).toMatchObject({ code: null, signal: 'SIGKILL', clean: false });
  });

  it('lost lock: the VM reads stopped while our child lives; stop kills our own child', async () => {
    sim.setFault('tart.lock_lost');
    const name = await freshVm();
    const h = start(name);
    await until(async () => (await tart.ip(name, { waitSeconds: 0 }).then(() => true, () => false)), 10_000, 'a lease');
    expect(await running(name)).toBe(false);
    await tart.stop(name);
    expect(await h.exited).toMatchObject({ signal: 'SIGKILL', clean: false });
    expect(sim.processes().includes(h.pid!)).toBe(false);
  });

  it('no address: ip is no-ip (ip_timeout) after --wait', async () => {
    sim.setFault('tart.boot_hang');
    const name = await freshVm();
    start(name);
    await until(() => running(name), 10_000, 'the VM to run');
    const e = await failure(tart.ip(name, { waitSeconds: 1 }));
    expect(e).toMatchObject({ kind: 'no-ip', reason: 'ip_timeout', exitCode: 1 });
    expect(e.stderrLine).toBe('no IP address found');
  });

  it('clone failures: disk full is disk-full, anything else clone_failed; a missing source is not-found', async () => {
    await tart.pull(IMAGE);
    sim.setFault('tart.disk_full', {}, { times: 1 });
    expect(await failure(tart.clone(IMAGE, vmName('sim-host', 1)))).toMatchObject({ kind: 'disk-full', reason: 'disk_full' });
    sim.setFault('tart.clone_fail', {}, { times: 1 });
    expect(await failure(tart.clone(IMAGE, vmName('sim-host', 1)))).toMatchObject({ kind: 'other', reason: 'clone_failed' });
    expect(await failure(tart.clone('no-such-local-vm', vmName('sim-host', 1)))).toMatchObject({ kind: 'not-found', exitCode: 2 });
  });

  it('every call is bounded: a slow pull is killed and reported as a timeout', async () => {
    await sim.publishImage('ghcr.io/cirruslabs/macos-sequoia-xcode:latest');
    sim.setFault('tart.pull_slow', { seconds: 30 });
    const impatient = cli({ timeouts: { pull: 500 }, forceKillAfterMs: 500 });
    const started = Date.now();
    const e = await failure(impatient.pull('ghcr.io/cirruslabs/macos-sequoia-xcode:latest'));
    expect(e).toMatchObject({ kind: 'timeout', reason: 'pull_failed' });
    expect(Date.now() - started).toBeLessThan(5_000);
    const pullPid = sim.invocations().filter((i) => i.argv[0] === 'pull').at(-1)!.pid;
    await until(() => !sim.processes().includes(pullPid), 3_000, 'the pull process to end');
  });

  it('a missing tart binary is tart_missing, for calls and for run', async () => {
    const none = cli({ tartPath: '/nonexistent/bin/tart' });
    expect(await failure(none.version())).toMatchObject({ kind: 'tart-missing', reason: 'tart_missing' });
    expect((await checkTartVersion(none)).status).toBe('fail');
    const exit = await none.start('ekiden-sim-host-0-x').exited;
    expect(exitError(exit).reason).toBe('tart_missing');
  });

  it('prune passes the budget flags; no criterion means no call', async () => {
    const before = sim.invocations().length;
    await tart.prune({});
    expect(sim.invocations().length).toBe(before);
    await tart.prune({ spaceBudgetGb: 200, olderThanDays: 7 });
    expect(sim.invocations().at(-1)!.argv).toEqual(['prune', '--entries', 'caches', '--space-budget', '200', '--older-than', '7']);
  });
});
