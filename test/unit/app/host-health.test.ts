// The host header's health: free disk of the TART_HOME volume (real statfs on a temp dir) and the
// warn/fail rows of the host's preflight, re-read when a new host starts and on an interval.
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostHealthMonitor, warningsOf, type HealthSource } from '../../../src-main/app/service/host-health';
import type { EkidenConfig } from '../../../src-main/core/config/schema';
import type { HostCheck } from '../../../src-main/core/host/preflight';
import { bindLogger } from '../../../src-main/core/util/logger';

const CHECKS: HostCheck[] = [
  { id: 'gui_user', status: 'skipped', message: 'no GUI session check on this platform' },
  { id: 'tart_version', status: 'ok', message: 'tart 2.32.1' },
  { id: 'disk_space', status: 'fail', value: 1e9, message: '1.0 GB free on the volume of /x, 30.0 GB needed', fix: 'free disk space' },
  { id: 'dhcp_lease_time', status: 'warn', value: 86_400, message: 'VM DHCP leases last 86400 s' },
];

let dir: string | undefined;
let monitor: HostHealthMonitor | undefined;
afterEach(async () => {
  monitor?.stop();
  monitor = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A controller stand-in: a host that counts its preflights, and the config it was built from. */
function source(tartHome: string) {
  const listeners = new Set<() => void>();
  let calls = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const host = {
    async checkHost() {
      calls += 1;
      waiters.filter((w) => calls >= w.n).forEach((w) => w.resolve());
      return CHECKS;
    },
  };
  const s = {
    host: undefined as HealthSource['host'],
    loaded: { config: { tart: { home: tartHome } } as EkidenConfig },
    onChange: (l: () => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set(h: HealthSource['host']) {
      s.host = h;
      listeners.forEach((l) => l());
    },
    host1: host,
    /** Resolves once the preflight has run `n` times. */
    checked: (n: number) => new Promise<void>((resolve) => (calls >= n ? resolve() : waiters.push({ n, resolve }))),
  };
  return s;
}

describe('host health for the header', () => {
  it('keeps only warn and fail rows, with their fix', () => {
    expect(warningsOf(CHECKS)).toEqual([
      { check: 'disk_space', status: 'fail', message: '1.0 GB free on the volume of /x, 30.0 GB needed', fix: 'free disk space' },
      { check: 'dhcp_lease_time', status: 'warn', message: 'VM DHCP leases last 86400 s' },
    ]);
  });

  it('reads free disk and the preflight when a host starts, again on its interval, and clears when the host goes', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-health-'));
    const tartHome = path.join(dir, 'tart-home-not-created-yet');
    const s = source(tartHome);
    let changes = 0;
    let onChange = () => {};
    monitor = new HostHealthMonitor({
      source: s, env: { HOME: dir }, logger: bindLogger(() => {}), checksIntervalMs: 20, diskIntervalMs: 20,
      onChange: () => {
        changes += 1;
        onChange();
      },
    });
    expect(monitor.current()).toBeNull();
    const ready = new Promise<void>((resolve) => (onChange = () => monitor!.current()?.disk && monitor!.current()?.checkedAt && resolve()));
    s.set(s.host1);
    await ready;
    const health = monitor.current()!;
    const fs = await statfs(dir);
    expect(health.disk!.tartHome).toBe(tartHome);
    // The same volume as the temp dir (free space moves a little while other tests write).
    expect(Math.abs(health.disk!.freeBytes - Number(fs.bavail) * Number(fs.bsize))).toBeLessThan(1e9);
    expect(health.warnings.map((w) => w.check)).toEqual(['disk_space', 'dhcp_lease_time']);
    await s.checked(3);
    expect(changes).toBeGreaterThanOrEqual(3);

    s.set(undefined);
    expect(monitor.current()).toBeNull();
  });
});
