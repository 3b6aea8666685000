// `tart ip` and the simulated DHCP (tart.md §4, §6; field failures 14-17).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TartSim } from '../tart/index';
import { parseLeases } from '../tart/leases';
import { cleanupAndVerify, cloneVm, guestIp, IMAGE, newSim, populateMinimal, startVm, waitFor } from './tart-helpers';

let sim: TartSim;

beforeEach(async () => {
  sim = await newSim();
  await sim.publishImage(IMAGE, { populateHome: populateMinimal() });
});

afterEach(async () => {
  await cleanupAndVerify(sim);
});

const mac = (vm: string): string => JSON.parse(fs.readFileSync(path.join(sim.vmDir(vm), 'config.json'), 'utf8')).macAddress;
const leaseText = (): string => fs.readFileSync(path.join(sim.tartHome, '.sim', 'dhcpd_leases'), 'utf8');

describe('dhcp resolver', () => {
  it('answers from the lease table in this simulator /24, also once the VM has stopped', async () => {
    await cloneVm(sim, 'vm');
    const h = await startVm(sim, 'vm');
    const ip = await guestIp(sim, 'vm');
    expect(ip).toMatch(new RegExp(`^${sim.ipBase.replace(/\./g, '\\.')}\\.(\\d+)$`));
    expect(ip).toBe(await waitFor(() => sim.guestIp('vm')));
    expect(leaseText()).toMatch(/\{\n\tname=admins-Virtual-Machine\n\tip_address=[\d.]+\n\thw_address=1,[0-9a-f:]+\n\tidentifier=1,[0-9a-f:]+\n\tlease=0x[0-9a-f]+\n\}\n/);
    h.kill('SIGINT');
    await h.exited;
    expect(await sim.runTart(['ip', 'vm'])).toMatchObject({ code: 0, stdout: `${ip}\n` });
  });

  it('--wait retries once a second until the lease appears', async () => {
    sim.setTimeline({ bootDelayMs: 1300 });
    await cloneVm(sim, 'vm');
    sim.spawnTart(['run', '--no-graphics', 'vm']);
    const t0 = Date.now();
    const r = await sim.runTart(['ip', 'vm', '--wait', '10']);
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('a reused MAC gets its old address back; --random-mac gets another', async () => {
    await cloneVm(sim, 'a');
    let h = await startVm(sim, 'a');
    const first = await guestIp(sim, 'a');
    h.kill('SIGINT');
    await h.exited;
    await sim.runTart(['delete', 'a']);
    await cloneVm(sim, 'b');
    expect(await sim.runTart(['ip', 'b'])).toMatchObject({ code: 0, stdout: `${first}\n` });
    await sim.runTart(['set', 'b', '--random-mac']);
    h = await startVm(sim, 'b');
    const second = await guestIp(sim, 'b');
    expect(second).not.toBe(first);
    h.kill('SIGINT');
    await h.exited;
  });

  it('drops expired leases and keeps the newest per MAC', async () => {
    await cloneVm(sim, 'vm');
    const m = mac('vm').split(':').map((o) => parseInt(o, 16).toString(16)).join(':');
    const now = Math.floor(Date.now() / 1000);
    const block = (ip: string, expiry: number): string =>
      `{\n\tname=x\n\tip_address=${ip}\n\thw_address=1,${m}\n\tidentifier=1,${m}\n\tlease=0x${expiry.toString(16)}\n}\n`;
    const file = path.join(sim.tartHome, '.sim', 'dhcpd_leases');
    fs.writeFileSync(file, block(`${sim.ipBase}.7`, now + 100) + block(`${sim.ipBase}.9`, now + 500) + block(`${sim.ipBase}.11`, now - 5));
    expect((await sim.runTart(['ip', 'vm'])).stdout).toBe(`${sim.ipBase}.9\n`);
    fs.writeFileSync(file, block(`${sim.ipBase}.11`, now - 5));
    expect(await sim.runTart(['ip', 'vm'])).toMatchObject({ code: 1, stderr: 'no IP address found, is your VM running?\n' });
  });

  it('softnet guests get 600 s leases, NAT guests the configured 86,400 s', async () => {
    await cloneVm(sim, 'nat');
    await cloneVm(sim, 'soft');
    await sim.runTart(['set', 'soft', '--random-mac']);
    await startVm(sim, 'nat');
    await startVm(sim, 'soft', ['--net-softnet']);
    await guestIp(sim, 'nat');
    await guestIp(sim, 'soft');
    const now = Date.now() / 1000;
    const leases = parseLeases(leaseText());
    const ttl = (vm: string): number => leases.find((l) => l.mac === mac(vm))!.lease - now;
    expect(ttl('nat')).toBeGreaterThan(86_000);
    expect(ttl('soft')).toBeGreaterThan(590);
    expect(ttl('soft')).toBeLessThanOrEqual(600);
  });
});

describe('lease faults', () => {
  it('net.stale_lease: before its own lease, the VM reads as the previous VM address', async () => {
    await cloneVm(sim, 'old');
    const h = await startVm(sim, 'old');
    const oldIp = await guestIp(sim, 'old');
    h.kill('SIGINT');
    await h.exited;
    await cloneVm(sim, 'new');
    await sim.runTart(['set', 'new', '--random-mac']);
    sim.setTimeline({ bootDelayMs: 1500 });
    sim.setFault('net.stale_lease', {}, { times: 1 });
    await startVm(sim, 'new');
    expect((await sim.runTart(['ip', 'new'])).stdout).toBe(`${oldIp}\n`);
    const own = await guestIp(sim, 'new');
    expect(own).not.toBe(oldIp);
  });

  it('net.duplicate_ip: a second VM gets an address another guest answers on', async () => {
    await cloneVm(sim, 'a');
    await cloneVm(sim, 'b');
    await startVm(sim, 'a');
    const ipA = await guestIp(sim, 'a');
    sim.setFault('net.duplicate_ip', {}, { times: 1 });
    await startVm(sim, 'b');
    expect(await guestIp(sim, 'b')).toBe(ipA);
    // Two MACs hold one address; which guest answers on it is shown in guest-ssh.test.ts.
    const holders = parseLeases(leaseText()).filter((l) => l.ip === ipA).map((l) => l.mac);
    expect(holders.sort()).toEqual([mac('a'), mac('b')].sort());
  });

  it('tart.boot_hang: a running VM that never leases', async () => {
    sim.setFault('tart.boot_hang', {}, { times: 1 });
    await cloneVm(sim, 'vm');
    await startVm(sim, 'vm');
    expect(await sim.runTart(['ip', 'vm', '--wait', '1'])).toMatchObject({ code: 1, stdout: '', stderr: 'no IP address found\n' });
    expect(sim.leases()).toEqual([]);
  });

  it('net.lease_exhaustion: a full pool gives no IP until it is cleared', async () => {
    sim.setFault('net.lease_exhaustion');
    await cloneVm(sim, 'vm');
    await startVm(sim, 'vm');
    await waitFor(() => sim.leases().length >= 253);
    expect(sim.leases()).toHaveLength(253);
    expect(await sim.runTart(['ip', 'vm'])).toMatchObject({ code: 1, stderr: 'no IP address found\n' });
    sim.clearFaults('net.lease_exhaustion');
    expect(await guestIp(sim, 'vm')).toMatch(/^127\./);
  });
});

describe('agent resolver', () => {
  it('answers only with a running agent', async () => {
    await cloneVm(sim, 'vm');
    const h = await startVm(sim, 'vm');
    const ip = await guestIp(sim, 'vm');
    expect((await sim.runTart(['ip', 'vm', '--resolver', 'agent', '--wait', '5'])).stdout).toBe(`${ip}\n`);
    h.kill('SIGINT');
    await h.exited;
    expect(await sim.runTart(['ip', 'vm', '--resolver', 'agent'])).toMatchObject({
      code: 1,
      stderr: 'no IP address found, is your VM running? (also make sure that Guest agent for Tart is running inside of a VM)\n',
    });
  });
});
