// `tart run` lifecycle (tart.md §4, §10): blocking, lock = running, exits and their lines, signals,
// suspend/resume, stop/delete idempotency, start failures.
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TartSim } from '../tart/index';
import { cleanupAndVerify, cloneVm, diagnostics, guestIp, IMAGE, newSim, populateMinimal, startVm, waitFor } from './tart-helpers';

let sim: TartSim;

beforeEach(async () => {
  sim = await newSim();
  await sim.publishImage(IMAGE, { populateHome: populateMinimal() });
});

afterEach(async () => {
  await cleanupAndVerify(sim);
});

const state = async (name: string): Promise<string | undefined> => {
  const rows = JSON.parse((await sim.runTart(['list', '--format', 'json'])).stdout) as { Name: string; State: string }[];
  return rows.find((r) => r.Name === name)?.State;
};

describe('tart run', () => {
  it('blocks for the VM life, prints nothing on a good headless start, and SIGINT prints "Stopping VM..." then exits 0', async () => {
    await cloneVm(sim, 'vm');
    const h = await startVm(sim, 'vm');
    await guestIp(sim, 'vm');
    await waitFor(() => sim.guestIp('vm'));
    expect(h.child.exitCode).toBeNull();
    expect(h.stdout() + h.stderr()).toBe('');
    h.kill('SIGINT');
    expect(await h.exited).toMatchObject({ code: 0, stdout: 'Stopping VM...\n', stderr: '' });
    expect(await state('vm')).toBe('stopped');
  });

  it('a SIGKILLed tart run makes the VM read stopped at once', async () => {
    await cloneVm(sim, 'vm');
    const h = await startVm(sim, 'vm');
    h.kill('SIGKILL');
    await h.exited;
    expect(await state('vm')).toBe('stopped');
    expect(await sim.runTart(['stop', 'vm'])).toMatchObject({ code: 2, stderr: 'VM "vm" is not running\n' });
  });

  it('tart stop sends SIGINT and returns once the lock is free', async () => {
    await cloneVm(sim, 'vm');
    const h = await startVm(sim, 'vm');
    const t0 = Date.now();
    expect(await sim.runTart(['stop', 'vm', '--timeout', '5'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await h.exited).toMatchObject({ code: 0, stdout: 'Stopping VM...\n' });
  });

  it('a VM that ignores SIGINT is SIGKILLed when stop --timeout expires', async () => {
    sim.setFault('tart.run_ignores_sigint');
    await cloneVm(sim, 'vm');
    const h = await startVm(sim, 'vm');
    const t0 = Date.now();
    expect((await sim.runTart(['stop', 'vm', '-t', '1'])).code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect((await h.exited).signal).toBe('SIGKILL');
    expect(await state('vm')).toBe('stopped');
  });

  it('exits 0 after "guest has stopped the virtual machine due to error" (tart.guest_error_stop)', async () => {
    sim.setFault('tart.guest_error_stop', { afterS: 0.3 });
    await cloneVm(sim, 'vm');
    const h = sim.spawnTart(['run', '--no-graphics', 'vm']);
    const r = await h.exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^guest has stopped the virtual machine due to error: Error Domain=VZErrorDomain .+\n$/);
  });

  it('exits 0 after the network-attachment line (tart.network_disconnect)', async () => {
    sim.setFault('tart.network_disconnect', { afterS: 0.3 });
    await cloneVm(sim, 'vm');
    const r = await sim.spawnTart(['run', '--no-graphics', 'vm']).exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^virtual machine's network attachment <VZVirtioNetworkDevice: 0x[0-9a-f]+> has been disconnected with error: .+\n$/);
  });

  it('a guest that shuts itself down ends run with exit 0', async () => {
    await cloneVm(sim, 'vm');
    const h = await startVm(sim, 'vm');
    await waitFor(() => fs.existsSync(`${sim.vmDir('vm')}/control.sock`), 10_000, 'guest agent');
    await sim.runTart(['exec', 'vm', 'sudo', 'shutdown', '-h', 'now']);
    expect(await h.exited).toMatchObject({ code: 0, stdout: 'guest has stopped the virtual machine\n', stderr: '' });
  });

  it('SIGUSR2 asks the guest to stop; in "dialog" mode nothing happens', async () => {
    await cloneVm(sim, 'vm');
    let h = await startVm(sim, 'vm');
    h.kill('SIGUSR2');
    expect(await h.exited).toMatchObject({ code: 0, stdout: 'Requesting guest OS to stop...\nguest has stopped the virtual machine\n' });

    sim.setConfig({ usr2Mode: 'dialog' });
    h = await startVm(sim, 'vm');
    h.kill('SIGUSR2');
    await waitFor(() => h.stdout() === 'Requesting guest OS to stop...\n', 10_000, () => `the dialog-mode line; ${diagnostics(sim, 'vm', h)}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.child.exitCode).toBeNull();
    h.kill('SIGINT');
    expect((await h.exited).stdout).toBe('Requesting guest OS to stop...\nStopping VM...\n');
  });

  it('suspend writes state.vzvmsave; the next run restores it; stop of a suspended VM drops it', async () => {
    await cloneVm(sim, 'vm');
    let h = await startVm(sim, 'vm', ['--suspendable']);
    expect(await sim.runTart(['suspend', 'vm'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await h.exited).toMatchObject({
      code: 0,
      stdout: 'pausing VM to take a snapshot...\ncreating a snapshot...\nsnapshot created successfully! shutting down the VM...\n',
    });
    expect(fs.existsSync(`${sim.vmDir('vm')}/state.vzvmsave`)).toBe(true);
    expect(await state('vm')).toBe('suspended');

    h = await startVm(sim, 'vm');
    await waitFor(() => h.stdout().includes('resuming VM...'));
    expect(h.stdout()).toBe('restoring VM state from a snapshot...\nresuming VM...\n');
    expect(fs.existsSync(`${sim.vmDir('vm')}/state.vzvmsave`)).toBe(false);
    await sim.runTart(['suspend', 'vm']);
    await h.exited;
    expect(await sim.runTart(['stop', 'vm'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await state('vm')).toBe('stopped');
  });

  it('suspend of a VM started without --suspendable fails on stdout with exit 1', async () => {
    await cloneVm(sim, 'vm');
    const h = await startVm(sim, 'vm');
    await sim.runTart(['suspend', 'vm']);
    const r = await h.exited;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Failed to suspend the VM: .+\n$/);
  });

  it('a running VM with the same MAC makes run reset the MAC', async () => {
    await cloneVm(sim, 'a');
    await cloneVm(sim, 'b');
    const macA = JSON.parse(fs.readFileSync(`${sim.vmDir('a')}/config.json`, 'utf8')).macAddress;
    const cfgB = JSON.parse(fs.readFileSync(`${sim.vmDir('b')}/config.json`, 'utf8'));
    cfgB.macAddress = macA;
    fs.writeFileSync(`${sim.vmDir('b')}/config.json`, JSON.stringify(cfgB));
    await startVm(sim, 'a');
    const hb = await startVm(sim, 'b');
    expect(hb.stdout()).toBe('There is already a running VM with the same MAC address!\nResetting VM to assign a new MAC address...\n');
    const newMac = JSON.parse(fs.readFileSync(`${sim.vmDir('b')}/config.json`, 'utf8')).macAddress;
    expect(newMac).not.toBe(macA);
  });

  it.each([
    ['tart.run_start_fail', /^Error Domain=VZErrorDomain Code=1 .+\n$/],
    ['tart.keychain_locked', /SecKeyCreateRandomKey_ios failed/],
  ])('start failure %s: a stderr line and exit 1', async (fault, re) => {
    sim.setFault(fault, {}, { times: 1 });
    await cloneVm(sim, 'vm');
    const r = await sim.spawnTart(['run', '--no-graphics', 'vm']).exited;
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(re);
    expect(r.stderr.split('\n').length).toBe(2);
    expect(await state('vm')).toBe('stopped');
  });

  it('tart.lock_lost: run alive but the VM reads stopped', async () => {
    sim.setFault('tart.lock_lost', {}, { times: 1 });
    await cloneVm(sim, 'vm');
    const h = sim.spawnTart(['run', '--no-graphics', 'vm']);
    await waitFor(() => sim.guestIp('vm'));
    expect(h.child.exitCode).toBeNull();
    expect(await state('vm')).toBe('stopped');
    expect((await sim.runTart(['stop', 'vm'])).code).toBe(2);
  });

  it('every run recorded by the invocation log carries --no-graphics and the env keys', async () => {
    await cloneVm(sim, 'vm');
    const h = await startVm(sim, 'vm');
    h.kill('SIGINT');
    await h.exited;
    const runs = sim.invocations().filter((i) => i.argv[0] === 'run');
    expect(runs.length).toBeGreaterThan(0);
    for (const r of runs) {
      expect(r.argv).toContain('--no-graphics');
      expect(r.present).toMatchObject({ HOME: true, PATH: true, TART_HOME: true, TART_NO_AUTO_PRUNE: false });
      expect(r.exitCode).toBe(0);
    }
  });
});

describe('the two-macOS-guest limit', () => {
  it('the third darwin VM fails with the hint; a linux VM does not count', async () => {
    await sim.publishImage('ghcr.io/acme/ubuntu:latest', { os: 'linux' });
    for (const n of ['a', 'b', 'c']) await cloneVm(sim, n);
    await cloneVm(sim, 'l', 'ghcr.io/acme/ubuntu:latest');
    await startVm(sim, 'a');
    await startVm(sim, 'b');
    const r = await sim.spawnTart(['run', '--no-graphics', 'c']).exited;
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: 'The number of VMs exceeds the system limit (other running VMs: a, b)\n' });
    await startVm(sim, 'l');
  });

  it('a foreign VM counts (visible in list, or another TART_HOME)', async () => {
    for (const n of ['a', 'b']) await cloneVm(sim, n);
    sim.setFault('tart.foreign_vm', { name: 'other-tool-vm' });
    expect(await state('other-tool-vm')).toBe('running');
    await startVm(sim, 'a');
    let r = await sim.spawnTart(['run', '--no-graphics', 'b']).exited;
    expect(r.stderr).toBe('The number of VMs exceeds the system limit (other running VMs: a, other-tool-vm)\n');

    sim.clearFaults();
    expect(await state('other-tool-vm')).toBeUndefined();
    sim.setFault('tart.foreign_vm', { visible: false });
    r = await sim.spawnTart(['run', '--no-graphics', 'b']).exited;
    expect(r).toMatchObject({ code: 1, stderr: 'The number of VMs exceeds the system limit (other running VMs: a)\n' });
  });

  it('tart.limit_leak fails every start until the host reboots', async () => {
    await cloneVm(sim, 'a');
    sim.setFault('tart.limit_leak');
    for (let i = 0; i < 2; i++) {
      expect(await sim.spawnTart(['run', '--no-graphics', 'a']).exited).toMatchObject({
        code: 1,
        stderr: 'The number of VMs exceeds the system limit\n',
      });
    }
    await sim.rebootHost();
    const h = await startVm(sim, 'a');
    h.kill('SIGINT');
    await h.exited;
  });
});

describe('stop and delete', () => {
  it('delete handles several names in order and stops at the first error', async () => {
    for (const n of ['a', 'b', 'c']) await cloneVm(sim, n);
    expect(await sim.runTart(['delete', 'a', 'ghost', 'c'])).toMatchObject({ code: 2, stderr: 'the specified VM "ghost" does not exist\n' });
    expect(fs.existsSync(sim.vmDir('a'))).toBe(false);
    expect(fs.existsSync(sim.vmDir('c'))).toBe(true);
    expect(await sim.runTart(['delete', 'b', 'c'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await sim.runTart(['delete', 'b'])).code).toBe(2);
  });

  it('teardown of a running VM: delete refuses, stop, then delete succeeds; both are idempotent', async () => {
    await cloneVm(sim, 'vm');
    const h = await startVm(sim, 'vm');
    expect((await sim.runTart(['delete', 'vm'])).code).toBe(1);
    expect((await sim.runTart(['stop', 'vm', '--timeout', '5'])).code).toBe(0);
    await h.exited;
    expect((await sim.runTart(['stop', 'vm'])).code).toBe(2);
    expect((await sim.runTart(['delete', 'vm'])).code).toBe(0);
    expect((await sim.runTart(['delete', 'vm'])).code).toBe(2);
  });
});
