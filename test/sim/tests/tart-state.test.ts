// The simulator's own state machinery: seeded faults, bootpd-like allocation, remote names, locks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, TartHome } from '../tart/home';
import { clearFaults, setFault, takeFault } from '../tart/faults';
import { allocate, formatLeases, parseLeases, readLeases, resolveMac } from '../tart/leases';
import { cachePath, parseRemote, pctHost, remoteText } from '../tart/remote-name';
import { tryLock, unlock } from '../tart/fsx';

let dir: string;
let home: TartHome;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tart-state-'));
  home = new TartHome(dir);
  home.ensure();
  home.writeConfig({ ...DEFAULT_CONFIG, ipBase: '127.201.9', seed: 42 });
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('faults', () => {
  it('fire `times` times, then stay quiet', () => {
    setFault(home, 'tart.clone_fail', { message: 'x' }, { times: 2 });
    const fired = [1, 2, 3].map(() => takeFault(home, 'tart.clone_fail'));
    expect(fired).toEqual([{ message: 'x' }, { message: 'x' }, undefined]);
  });

  it('probability draws are deterministic for a seed', () => {
    const sequence = (): boolean[] => {
      setFault(home, 'ssh.hang', {}, { probability: 0.5 });
      return Array.from({ length: 20 }, () => takeFault(home, 'ssh.hang') !== undefined);
    };
    const a = sequence();
    const b = sequence();
    expect(a).toEqual(b);
    expect(a.some(Boolean)).toBe(true);
    expect(a.every(Boolean)).toBe(false);
  });

  it('a scope limits a fault to matching VMs or images', () => {
    setFault(home, 'tart.run_start_fail', {}, { scope: { vm: 'ekiden-host-0-*', image: 'sha256:new' } });
    expect(takeFault(home, 'tart.run_start_fail', { vm: 'ekiden-host-1-a', image: 'sha256:new' })).toBeUndefined();
    expect(takeFault(home, 'tart.run_start_fail', { vm: 'ekiden-host-0-a', image: 'sha256:old' })).toBeUndefined();
    expect(takeFault(home, 'tart.run_start_fail', { vm: 'ekiden-host-0-a', image: 'sha256:new' })).toEqual({});
    clearFaults(home);
    expect(takeFault(home, 'tart.run_start_fail', { vm: 'ekiden-host-0-a', image: 'sha256:new' })).toBeUndefined();
  });
});

describe('DHCP allocation', () => {
  it('lease blocks round-trip in bootpd format (octets without leading zeros)', () => {
    const text = formatLeases([{ name: 'n', ip: '127.201.9.2', mac: '0a:01:02:03:04:05', lease: 0x65000000 }]);
    expect(text).toBe('{\n\tname=n\n\tip_address=127.201.9.2\n\thw_address=1,a:1:2:3:4:5\n\tidentifier=1,a:1:2:3:4:5\n\tlease=0x65000000\n}\n');
    expect(parseLeases(text)).toEqual([{ name: 'n', ip: '127.201.9.2', mac: '0a:01:02:03:04:05', lease: 0x65000000 }]);
  });

  it('hands out 253 addresses, then nothing until a lease expires', () => {
    const mac = (n: number): string => `02:00:00:00:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
    const ips = new Set<string>();
    for (let n = 0; n < 253; n++) ips.add(allocate(home, mac(n), { leaseTimeSec: 600, hostname: 'h' })!);
    expect(ips.size).toBe(253);
    expect(allocate(home, mac(999), { leaseTimeSec: 600, hostname: 'h' })).toBeUndefined();
    const leases = readLeases(home);
    leases[0].lease = Math.floor(Date.now() / 1000) - 1;
    fs.writeFileSync(home.sim('dhcpd_leases'), formatLeases(leases));
    expect(allocate(home, mac(999), { leaseTimeSec: 600, hostname: 'h' })).toBe(leases[0].ip);
    expect(resolveMac(home, mac(999))).toBe(leases[0].ip);
  });
});

describe('remote names', () => {
  const D = `sha256:${'a'.repeat(64)}`;
  it.each([
    ['ghcr.io/cirruslabs/macos-sequoia-base:latest', 'ghcr.io', 'cirruslabs/macos-sequoia-base', 'latest', 'ghcr.io/cirruslabs/macos-sequoia-base:latest'],
    ['ghcr.io/cirruslabs/macos-sequoia-base', 'ghcr.io', 'cirruslabs/macos-sequoia-base', 'latest', 'ghcr.io/cirruslabs/macos-sequoia-base:latest'],
    ['reg:5000/a/b/c:v2', 'reg:5000', 'a/b/c', 'v2', 'reg:5000/a/b/c:v2'],
    [`reg:5000/ns@${D}`, 'reg:5000', 'ns', D, `reg:5000/ns@${D}`],
  ])('%s', (text, host, namespace, reference, canonical) => {
    const r = parseRemote(text)!;
    expect(r).toMatchObject({ host, namespace, reference });
    expect(remoteText(r)).toBe(canonical);
  });

  it('percent-encodes the host in the cache path', () => {
    expect(pctHost('reg:5000')).toBe('reg%3A5000');
    expect(cachePath('/c', parseRemote('reg:5000/ns/img:tag')!)).toBe('/c/reg%3A5000/ns/img/tag');
  });
});

describe('locks', () => {
  it('a lock held by a dead process is free; a live holder keeps it', async () => {
    const file = path.join(dir, 'x.lock');
    const child = spawn(process.execPath, ['-e', 'setTimeout(()=>{}, 10000)']);
    await new Promise((r) => child.once('spawn', r));
    const holder = { pid: child.pid!, start: fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19] };
    expect(tryLock(file, holder)).toBe(true);
    expect(tryLock(file)).toBe(false);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(tryLock(file)).toBe(true);
    unlock(file);
    expect(fs.existsSync(file)).toBe(false);
  });
});
