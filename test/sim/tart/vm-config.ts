// config.json of a VM (tart.md §1 keys) and MAC addresses.
import { randomBytes, createHash } from 'node:crypto';

export interface VmConfig {
  version: number;
  os: 'darwin' | 'linux';
  arch: 'arm64';
  cpuCountMin: number;
  cpuCount: number;
  memorySizeMin: number;
  memorySize: number;
  macAddress: string;
  display: { width: number; height: number; unit?: 'pt' | 'px' };
  displayRefit?: boolean;
  diskFormat: 'raw' | 'asif';
  ecid?: string;
  hardwareModel?: string;
}

const GIB = 1024 * 1024 * 1024;

export function newVmConfig(os: 'darwin' | 'linux', mac: string): VmConfig {
  const base: VmConfig = {
    version: 1,
    os,
    arch: 'arm64',
    cpuCountMin: 4,
    cpuCount: 4,
    memorySizeMin: (os === 'darwin' ? 4 : 1) * GIB,
    memorySize: 8 * GIB,
    macAddress: mac,
    display: { width: 1024, height: 768 },
    diskFormat: 'raw',
  };
  if (os === 'darwin') {
    base.ecid = randomBytes(24).toString('base64');
    base.hardwareModel = randomBytes(48).toString('base64');
  }
  return base;
}

/** A random locally administered unicast MAC (VZMACAddress.randomLocallyAdministered). */
export function randomMac(bytes: Buffer = randomBytes(6)): string {
  const b = Buffer.from(bytes);
  b[0] = (b[0] & 0xfc) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Deterministic MAC from a seed string (used for image MACs so tests are reproducible). */
export function seededMac(seed: string): string {
  return randomMac(createHash('sha256').update(seed).digest().subarray(0, 6));
}

/** Lowercase two-digit form; bootpd writes octets without leading zeros. */
export function normalizeMac(mac: string): string {
  return mac
    .trim()
    .toLowerCase()
    .split(':')
    .map((o) => o.padStart(2, '0'))
    .join(':');
}

export function displayText(c: VmConfig): string {
  return `${c.display.width}x${c.display.height}${c.display.unit ?? ''}`;
}
