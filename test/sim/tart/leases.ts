// The simulated bootpd lease file ($TART_HOME/.sim/dhcpd_leases, same format as /var/db/dhcpd_leases)
// and bootpd's allocation: a MAC gets its old address back; expired leases are reclaimed only when full.
import fs from 'node:fs';
import type { TartHome } from './home';
import { normalizeMac } from './vm-config';
import { withLockSync, writeFileAtomic } from './fsx';

export interface Lease {
  name: string;
  ip: string;
  mac: string;
  /** Expiry, unix seconds. */
  lease: number;
}

export const POOL_FIRST = 2;
export const POOL_LAST = 254; // 253 addresses
export const FILLER_NAME = 'sim-pool-filler';

export const leaseFile = (home: TartHome): string => home.sim('dhcpd_leases');

export function parseLeases(text: string): Lease[] {
  const out: Lease[] = [];
  for (const block of text.split('{').slice(1)) {
    const body = block.split('}')[0];
    const kv = new Map<string, string>();
    for (const line of body.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
    const hw = kv.get('hw_address');
    const ip = kv.get('ip_address');
    const lease = kv.get('lease');
    if (!hw || !ip || !lease) continue;
    out.push({ name: kv.get('name') ?? '', ip, mac: normalizeMac(hw.replace(/^1,/, '')), lease: parseInt(lease, 16) });
  }
  return out;
}

/** bootpd writes MAC octets without leading zeros. */
const bootpdMac = (mac: string): string =>
  mac
    .split(':')
    .map((o) => parseInt(o, 16).toString(16))
    .join(':');

export function formatLeases(leases: Lease[]): string {
  return leases
    .map(
      (l) =>
        `{\n\tname=${l.name}\n\tip_address=${l.ip}\n\thw_address=1,${bootpdMac(l.mac)}\n\tidentifier=1,${bootpdMac(l.mac)}\n\tlease=0x${l.lease.toString(16)}\n}\n`,
    )
    .join('');
}

export function readLeases(home: TartHome): Lease[] {
  try {
    return parseLeases(fs.readFileSync(leaseFile(home), 'utf8'));
  } catch {
    return [];
  }
}

const nowSec = (): number => Math.floor(Date.now() / 1000);

/** Tart's dhcp resolver: drop expired leases, keep the newest per MAC. */
export function resolveMac(home: TartHome, mac: string): string | undefined {
  const m = normalizeMac(mac);
  const valid = readLeases(home).filter((l) => l.mac === m && l.lease > nowSec());
  valid.sort((a, b) => b.lease - a.lease);
  return valid[0]?.ip;
}

/** The newest valid lease of any other MAC (what a stale answer looks like). */
export function newestOtherLease(home: TartHome, mac: string): Lease | undefined {
  const m = normalizeMac(mac);
  return readLeases(home)
    .filter((l) => l.mac !== m && l.lease > nowSec() && l.name !== FILLER_NAME)
    .sort((a, b) => b.lease - a.lease)[0];
}

export interface AllocateOptions {
  leaseTimeSec: number;
  hostname: string;
  /** net.duplicate_ip: take an address another MAC still holds. */
  duplicate?: boolean;
  /** net.lease_exhaustion: fill the pool with unexpired foreign leases first. */
  exhaust?: boolean;
}

export function allocate(home: TartHome, mac: string, opts: AllocateOptions): string | undefined {
  const m = normalizeMac(mac);
  const base = home.config().ipBase;
  return withLockSync(home.lockFile('leases'), () => {
    let leases = readLeases(home);
    const now = nowSec();
    const expiry = now + opts.leaseTimeSec;
    const heldByOthers = (ip: string): boolean => leases.some((l) => l.ip === ip && l.mac !== m && l.lease > now);
    const write = (): void => writeFileAtomic(leaseFile(home), formatLeases(leases));

    if (opts.exhaust) {
      for (let n = POOL_FIRST; n <= POOL_LAST; n++) {
        const ip = `${base}.${n}`;
        if (!leases.some((l) => l.ip === ip && l.lease > now)) {
          leases = leases.filter((l) => l.ip !== ip);
          leases.push({ name: FILLER_NAME, ip, mac: fillerMac(n), lease: expiry });
        }
      }
    }

    let ip: string | undefined;
    const other = leases.filter((l) => l.mac !== m && l.lease > now && l.name !== FILLER_NAME).sort((a, b) => b.lease - a.lease)[0];
    if (opts.duplicate && other) ip = other.ip;
    if (!ip) {
      const mine = leases.filter((l) => l.mac === m).sort((a, b) => b.lease - a.lease)[0];
      if (mine && !heldByOthers(mine.ip)) ip = mine.ip;
    }
    if (!ip) {
      const used = new Set(leases.map((l) => l.ip));
      for (let n = POOL_FIRST; n <= POOL_LAST && !ip; n++) if (!used.has(`${base}.${n}`)) ip = `${base}.${n}`;
    }
    if (!ip) {
      // Pool full: only now are expired leases reclaimed.
      const expired = leases.filter((l) => l.lease <= now).sort((a, b) => a.lease - b.lease)[0];
      if (expired) ip = expired.ip;
    }
    if (!ip) {
      write();
      return undefined;
    }
    const chosen = ip;
    leases = leases.filter((l) => !(l.mac === m) && !(l.ip === chosen && l.lease <= now));
    leases.unshift({ name: opts.hostname, ip: chosen, mac: m, lease: expiry });
    write();
    return chosen;
  });
}

function fillerMac(n: number): string {
  return `0e:51:4d:00:00:${n.toString(16).padStart(2, '0')}`;
}

export function removeFillers(home: TartHome): void {
  withLockSync(home.lockFile('leases'), () => {
    const leases = readLeases(home).filter((l) => l.name !== FILLER_NAME);
    writeFileAtomic(leaseFile(home), formatLeases(leases));
  });
}

export function resetLeases(home: TartHome): void {
  withLockSync(home.lockFile('leases'), () => fs.rmSync(leaseFile(home), { force: true }));
}
