// VM names encode ownership (`ekiden-<host>-<slot>-<id>`), so leftovers of any run can be recognised
// and reaped (tart.md §9.1). A name is never reused: runner names derive from it (github.md §6.4).
import { randomBytes } from 'node:crypto';

export const VM_PREFIX = 'ekiden';

export interface VmNameParts {
  host: string;
  slot: number;
  id: string;
}

/**
 * A host label safe inside a tart name: lower case, [a-z0-9-], no domain, at most 32 characters.
 * A valid config `hostId` (/^[a-z0-9-]+$/, ≤ 32) is returned unchanged.
 */
export function hostLabel(hostname: string): string {
  const label = hostname.split('.')[0].toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 32);
  return /[a-z0-9]/.test(label) ? label : 'host';
}

let lastMs = 0;
let counter = 0;

/** A short id, unique within this process and practically unique across runs: time + counter + random. */
export function newVmId(now: number = Date.now()): string {
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  const random = randomBytes(3).readUIntBE(0, 3).toString(36).padStart(5, '0');
  return `${now.toString(36)}${counter.toString(36)}${random}`;
}

export function vmName(host: string, slot: number, id: string = newVmId()): string {
  if (!Number.isInteger(slot) || slot < 0) throw new Error(`slot must be a non-negative integer, got ${slot}`);
  if (!/^[a-z0-9]+$/.test(id)) throw new Error(`vm id must be [a-z0-9]+, got ${JSON.stringify(id)}`);
  return `${VM_PREFIX}-${hostLabel(host)}-${slot}-${id}`;
}

// The host label may contain dashes; slot and id never do, so parse from the right.
const NAME = /^ekiden-([a-z0-9-]+)-(\d+)-([a-z0-9]+)$/;

export function parseVmName(name: string): VmNameParts | null {
  const m = NAME.exec(name);
  if (!m) return null;
  return { host: m[1], slot: Number(m[2]), id: m[3] };
}

/** True for a VM this host's Ekiden created (in this run or an earlier one). */
export function isOwnedBy(name: string, host: string): boolean {
  return parseVmName(name)?.host === hostLabel(host);
}
