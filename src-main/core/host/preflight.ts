// Host checks that need only this machine (tart.md §11 "Preflight", telemetry.md §4 `ekiden.check`).
// Each returns a status and, when something is wrong, the fix in words the operator can act on.
import { execa } from 'execa';
import { constants } from 'node:fs';
import { access, mkdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compareVersions } from './tart/parsers';
import { isTartError } from './tart/tart-errors';
import { countLeases, DEFAULT_LEASE_SECONDS, LEASE_POOL_SIZE, parseLeaseTime } from './dhcp-leases';

export type CheckId =
  | 'tart_version' | 'tart_home' | 'disk_space' | 'dhcp_lease_time' | 'dhcp_leases' | 'login_keychain'
  | 'local_network' | 'gui_user' | 'github_auth' | 'registry';
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface HostCheck {
  id: CheckId;
  status: CheckStatus;
  message: string;
  fix?: string;
  /** The measured number behind the check, when there is one (seconds, bytes, leases). */
  value?: number;
  /** Further named measurements (dhcp_leases: active, expired), for telemetry. */
  values?: Record<string, number>;
}

/** Gauge value of `ekiden.host.check.status`: 0 ok, 1 warn, 2 fail (skipped counts as ok). */
export function checkStatusValue(status: CheckStatus): number {
  return status === 'fail' ? 2 : status === 'warn' ? 1 : 0;
}

export const SUPPORTED_TART = { min: '2.20.0', below: '3.0.0' } as const;

export async function checkTartVersion(
  tart: { version(): Promise<string> },
  range: { min: string; below: string } = SUPPORTED_TART,
): Promise<HostCheck> {
  const id = 'tart_version';
  let version: string;
  try {
    version = await tart.version();
  } catch (e) {
    if (isTartError(e, 'tart-missing')) return { id, status: 'fail', message: e.message, fix: 'brew install cirruslabs/cli/tart' };
    return { id, status: 'fail', message: `tart --version failed: ${(e as Error).message}`, fix: 'reinstall Tart: brew reinstall cirruslabs/cli/tart' };
  }
  if (version === 'SNAPSHOT') return { id, status: 'warn', message: 'tart is a development build (SNAPSHOT); its CLI may differ' };
  if (compareVersions(version, range.min) < 0 || compareVersions(version, range.below) >= 0) {
    return {
      id, status: 'fail',
      message: `tart ${version} is not supported (need >= ${range.min} and < ${range.below})`,
      fix: 'brew upgrade cirruslabs/cli/tart',
    };
  }
  return { id, status: 'ok', message: `tart ${version}` };
}

export async function checkTartHome(tartHome: string): Promise<HostCheck> {
  const id = 'tart_home';
  const probe = path.join(tartHome, `.ekiden-write-test-${process.pid}`);
  try {
    await mkdir(tartHome, { recursive: true });
    await access(tartHome, constants.W_OK);
    await writeFile(probe, '');
    await rm(probe, { force: true });
    return { id, status: 'ok', message: `${tartHome} is writable` };
  } catch (e) {
    return {
      id, status: 'fail',
      message: `${tartHome} is not writable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      fix: `give the Ekiden user write access to ${tartHome}, or choose another TART_HOME`,
    };
  }
}

/** Free space on the volume of `dir` (or its nearest existing parent) against `requiredBytes`. */
export async function checkDiskSpace(dir: string, requiredBytes: number): Promise<HostCheck> {
  const id = 'disk_space';
  let at = path.resolve(dir);
  for (;;) {
    try {
      const s = await statfs(at);
      const free = Number(s.bavail) * Number(s.bsize);
      const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`;
      if (free < requiredBytes) {
        return {
          id, status: 'fail', value: free,
          message: `${gb(free)} free on the volume of ${dir}, ${gb(requiredBytes)} needed (image + growth budget)`,
          fix: 'free disk space, prune old images (tart prune --entries caches), or lower the disk budget',
        };
      }
      return { id, status: 'ok', value: free, message: `${gb(free)} free on the volume of ${dir}` };
    } catch (e) {
      const parent = path.dirname(at);
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || parent === at) {
        return { id, status: 'fail', message: `cannot read free space of ${dir}: ${(e as Error).message}` };
      }
      at = parent;
    }
  }
}

/** Ekiden must run as the logged-in user, never root: macOS 15 guests do not start as root (cirruslabs/tart#921). */
export function checkGuiUser(o: { uid: number | undefined; platform?: NodeJS.Platform; consoleUid?: number }): HostCheck {
  const id = 'gui_user';
  if (o.uid === 0) {
    return { id, status: 'fail', message: 'Ekiden runs as root; VMs may not start', fix: 'run Ekiden as the logged-in user (the app or a LaunchAgent), not with sudo or as a LaunchDaemon' };
  }
  if ((o.platform ?? process.platform) !== 'darwin' || o.consoleUid === undefined) return { id, status: 'skipped', message: 'no GUI session check on this platform' };
  if (o.consoleUid !== o.uid) {
    return { id, status: 'warn', message: `the GUI session belongs to uid ${o.consoleUid}, Ekiden runs as uid ${o.uid}`, fix: 'run Ekiden in the GUI session of the user that owns the VMs (enable auto-login)' };
  }
  return { id, status: 'ok', message: 'running as the logged-in GUI user' };
}

export const BOOTPD_PLIST = '/Library/Preferences/SystemConfiguration/com.apple.InternetSharing.default.plist';
const LEASE_FIX = `sudo defaults write ${BOOTPD_PLIST} bootpd -dict DHCPLeaseTimeSecs -int 600`;

/** The bootpd lease time; a missing key means 86,400 s (tart.md §6). */
export async function checkDhcpLeaseTime(
  o: { platform?: NodeJS.Platform; readDefaults?: () => Promise<string | undefined> } = {},
): Promise<HostCheck> {
  const id = 'dhcp_lease_time';
  if ((o.platform ?? process.platform) !== 'darwin') return { id, status: 'skipped', message: 'DHCP lease time is a macOS host setting' };
  const read = o.readDefaults ?? readBootpdDefaults;
  const seconds = parseLeaseTime((await read()) ?? '') ?? DEFAULT_LEASE_SECONDS;
  if (seconds > 3600) {
    return {
      id, status: 'warn', value: seconds,
      message: `VM DHCP leases last ${seconds} s; more than ~${LEASE_POOL_SIZE} VMs per lease period exhaust the address pool`,
      fix: LEASE_FIX,
    };
  }
  return { id, status: 'ok', value: seconds, message: `VM DHCP leases last ${seconds} s` };
}

async function readBootpdDefaults(): Promise<string | undefined> {
  const r = await execa('/usr/bin/defaults', ['read', BOOTPD_PLIST, 'bootpd'], { reject: false, timeout: 10_000, stdin: 'ignore' });
  return r.exitCode === 0 ? String(r.stdout) : undefined;
}

export const LEASES_FILE = '/var/db/dhcpd_leases';

/**
 * The bootpd lease file to read: /var/db/dhcpd_leases on macOS; EKIDEN_DHCP_LEASES_FILE points
 * elsewhere (the simulator's). Undefined where there is none to read.
 */
export function dhcpLeasesFile(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  return env.EKIDEN_DHCP_LEASES_FILE || (platform === 'darwin' ? LEASES_FILE : undefined);
}

/** Counts active leases of the NAT pool; a nearly full pool gives guests no or duplicate IPs. */
export async function checkDhcpLeases(
  o: { platform?: NodeJS.Platform; leasesFile?: string; nowSeconds?: number } = {},
): Promise<HostCheck> {
  const id = 'dhcp_leases';
  if ((o.platform ?? process.platform) !== 'darwin' && o.leasesFile === undefined) {
    return { id, status: 'skipped', message: 'the DHCP lease file is a macOS host file' };
  }
  const file = o.leasesFile ?? LEASES_FILE;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { id, status: 'ok', value: 0, values: { active: 0, expired: 0 }, message: 'no DHCP leases yet' };
    return { id, status: 'warn', message: `cannot read ${file}: ${(e as Error).message}` };
  }
  const { active, expired } = countLeases(text, o.nowSeconds ?? Math.floor(Date.now() / 1000));
  const fix = `sudo rm ${file} (recreated on the next VM start; some hosts also need sudo launchctl kickstart -kp system/com.apple.bootpd), and shorten leases: ${LEASE_FIX}`;
  const message = `${active} active and ${expired} expired DHCP leases (pool of ${LEASE_POOL_SIZE})`;
  const values = { active, expired };
  if (active >= LEASE_POOL_SIZE) return { id, status: 'fail', value: active, values, message, fix };
  if (active >= Math.floor(LEASE_POOL_SIZE * 0.8)) return { id, status: 'warn', value: active, values, message, fix };
  return { id, status: 'ok', value: active, values, message };
}

/** VZ needs an unlocked login keychain to start VMs on macOS 15+ (tart.md §8). */
export async function checkLoginKeychain(
  o: { platform?: NodeJS.Platform; home: string; showInfo?: (keychain: string) => Promise<{ ok: boolean; text: string }> },
): Promise<HostCheck> {
  const id = 'login_keychain';
  if ((o.platform ?? process.platform) !== 'darwin') return { id, status: 'skipped', message: 'the login keychain is a macOS matter' };
  const keychain = path.join(o.home, 'Library', 'Keychains', 'login.keychain-db');
  const show = o.showInfo ?? showKeychainInfo;
  const r = await show(keychain);
  if (r.ok) return { id, status: 'ok', message: 'the login keychain is unlocked' };
  return {
    id, status: 'fail',
    message: `the login keychain is locked or missing: ${r.text.trim().split('\n')[0] ?? ''}`,
    fix: 'log in to the Mac (auto-login), or run: security unlock-keychain login.keychain',
  };
}

async function showKeychainInfo(keychain: string): Promise<{ ok: boolean; text: string }> {
  const r = await execa('/usr/bin/security', ['show-keychain-info', keychain], { reject: false, timeout: 10_000, stdin: 'ignore' });
  return { ok: r.exitCode === 0, text: `${r.stderr}${r.stdout}` };
}

export interface HostPreflightOptions {
  tart: { version(): Promise<string> };
  tartHome: string;
  home: string;
  requiredDiskBytes: number;
  uid?: number;
  platform?: NodeJS.Platform;
  /** See dhcpLeasesFile(). */
  leasesFile?: string;
}

/** All host-only checks, in the order an operator would fix them. */
export async function hostPreflight(o: HostPreflightOptions): Promise<HostCheck[]> {
  const platform = o.platform ?? process.platform;
  // The owner of /dev/console is the user of the GUI session on macOS.
  const consoleUid = platform === 'darwin' ? await stat('/dev/console').then((s) => s.uid, () => undefined) : undefined;
  return [
    checkGuiUser({ uid: o.uid ?? process.getuid?.(), platform, consoleUid }),
    await checkTartVersion(o.tart),
    await checkTartHome(o.tartHome),
    await checkDiskSpace(o.tartHome, o.requiredDiskBytes),
    await checkLoginKeychain({ platform, home: o.home }),
    await checkDhcpLeaseTime({ platform }),
    await checkDhcpLeases({ platform, leasesFile: o.leasesFile }),
  ];
}
