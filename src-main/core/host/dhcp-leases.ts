// Pure readers of the macOS DHCP server's state (tart.md §6). Ekiden never takes IPs from the lease
// file (field-failures #17): it only counts blocks, to warn before the /24 pool runs out.

export const DEFAULT_LEASE_SECONDS = 86_400;
/** Addresses in the shared /24 that bootpd can hand out. */
export const LEASE_POOL_SIZE = 253;

export interface LeaseCount {
  active: number;
  expired: number;
}

/**
 * Counts `{ … }` blocks of /var/db/dhcpd_leases by their `lease=0x<hex expiry>`. A block without a
 * readable expiry counts as active (it still holds an address). Client-id entries without
 * `hw_address` are counted like any other (crc-org/vfkit#242).
 */
export function countLeases(text: string, nowSeconds: number): LeaseCount {
  const count: LeaseCount = { active: 0, expired: 0 };
  let inBlock = false;
  let expiry: number | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '{') {
      inBlock = true;
      expiry = undefined;
    } else if (line === '}' && inBlock) {
      inBlock = false;
      if (expiry !== undefined && expiry <= nowSeconds) count.expired++;
      else count.active++;
    } else if (inBlock) {
      const m = /^lease=0x([0-9a-f]+)$/i.exec(line);
      if (m) expiry = Number.parseInt(m[1], 16);
    }
  }
  return count;
}

/**
 * `DHCPLeaseTimeSecs` from `defaults read …/com.apple.InternetSharing.default.plist bootpd`, which
 * prints an old-style plist dictionary (`{ DHCPLeaseTimeSecs = 600; }`). Undefined when absent.
 */
export function parseLeaseTime(defaultsOutput: string): number | undefined {
  const m = /\bDHCPLeaseTimeSecs\s*=\s*"?(\d+)"?\s*;/.exec(defaultsOutput);
  return m ? Number(m[1]) : undefined;
}
