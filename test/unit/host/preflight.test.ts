import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDhcpLeases, checkDhcpLeaseTime, checkDiskSpace, checkGuiUser, checkLoginKeychain, checkStatusValue, checkTartHome, checkTartVersion,
} from '../../../src-main/core/host/preflight';
import { tartMissing } from '../../../src-main/core/host/tart/tart-errors';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-preflight-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tartAt = (v: string) => ({ version: async () => v });

describe('tart_version', () => {
  it.each([
    ['2.32.1', 'ok'], ['2.20.0', 'ok'], ['2.19.3', 'fail'], ['3.0.0', 'fail'], ['1.9.0', 'fail'], ['SNAPSHOT', 'warn'],
  ])('tart %s is %s', async (v, status) => {
    const check = await checkTartVersion(tartAt(v));
    expect(check.id).toBe('tart_version');
    expect(check.status).toBe(status);
    if (status === 'fail') expect(check.fix).toContain('brew');
  });

  it('a missing tart binary fails with the install command', async () => {
    const check = await checkTartVersion({ version: async () => { throw tartMissing('version', '/opt/homebrew/bin/tart'); } });
    expect(check).toMatchObject({ status: 'fail', fix: 'brew install cirruslabs/cli/tart' });
    expect(check.message).toContain('/opt/homebrew/bin/tart');
  });
});

describe('tart_home and disk_space', () => {
  it('a writable (even not yet existing) TART_HOME is ok', async () => {
    expect((await checkTartHome(path.join(dir, 'new', '.tart'))).status).toBe('ok');
  });

  it('a TART_HOME below a regular file fails', async () => {
    await writeFile(path.join(dir, 'file'), '');
    const check = await checkTartHome(path.join(dir, 'file', '.tart'));
    expect(check.status).toBe('fail');
    expect(check.fix).toBeDefined();
  });

  it('free space is measured on the nearest existing directory', async () => {
    const ok = await checkDiskSpace(path.join(dir, 'not', 'yet'), 1);
    expect(ok.status).toBe('ok');
    expect(ok.value).toBeGreaterThan(0);
    const fail = await checkDiskSpace(dir, Number.MAX_SAFE_INTEGER);
    expect(fail.status).toBe('fail');
    expect(fail.message).toContain('needed');
  });
});

describe('gui_user', () => {
  it('root is refused', () => expect(checkGuiUser({ uid: 0, platform: 'darwin', consoleUid: 0 }).status).toBe('fail'));
  it('on macOS, another console user warns', () => expect(checkGuiUser({ uid: 501, platform: 'darwin', consoleUid: 502 }).status).toBe('warn'));
  it('on macOS, the console user is ok', () => expect(checkGuiUser({ uid: 501, platform: 'darwin', consoleUid: 501 }).status).toBe('ok'));
  it('elsewhere it is skipped for non-root', () => expect(checkGuiUser({ uid: 1000, platform: 'linux' }).status).toBe('skipped'));
});

describe('dhcp_lease_time', () => {
  it('is skipped off macOS', async () => expect((await checkDhcpLeaseTime({ platform: 'linux' })).status).toBe('skipped'));
  it('a missing key means 86,400 s and warns with the 600 s fix', async () => {
    const check = await checkDhcpLeaseTime({ platform: 'darwin', readDefaults: async () => undefined });
    expect(check).toMatchObject({ status: 'warn', value: 86_400 });
    expect(check.fix).toBe('sudo defaults write /Library/Preferences/SystemConfiguration/com.apple.InternetSharing.default.plist bootpd -dict DHCPLeaseTimeSecs -int 600');
  });
  it('600 s is ok', async () => {
    const check = await checkDhcpLeaseTime({ platform: 'darwin', readDefaults: async () => '{\n    DHCPLeaseTimeSecs = 600;\n}\n' });
    expect(check).toMatchObject({ status: 'ok', value: 600 });
  });
});

describe('dhcp_leases', () => {
  const block = (expiry: number) => `{\n\tip_address=192.168.64.9\n\thw_address=1,2:0:0:0:0:1\n\tlease=0x${expiry.toString(16)}\n}\n`;
  const now = 1_800_000_000;

  it('is skipped off macOS unless a file is given', async () => expect((await checkDhcpLeases({ platform: 'linux' })).status).toBe('skipped'));

  it.each([
    [10, 'ok'], [202, 'warn'], [253, 'fail'],
  ])('%i active leases is %s', async (n, status) => {
    const file = path.join(dir, `leases-${n}`);
    await writeFile(file, block(now - 10).repeat(5) + block(now + 600).repeat(n));
    const check = await checkDhcpLeases({ leasesFile: file, nowSeconds: now });
    expect(check).toMatchObject({ id: 'dhcp_leases', status, value: n });
    expect(check.message).toContain('5 expired');
    if (status !== 'ok') expect(check.fix).toContain('sudo rm');
  });

  it('no lease file yet is ok', async () => {
    expect((await checkDhcpLeases({ leasesFile: path.join(dir, 'none'), platform: 'darwin' })).status).toBe('ok');
  });
});

describe('login_keychain', () => {
  it('is skipped off macOS', async () => expect((await checkLoginKeychain({ platform: 'linux', home: dir })).status).toBe('skipped'));
  it('a locked keychain fails with the unlock fix', async () => {
    const check = await checkLoginKeychain({
      platform: 'darwin', home: '/Users/admin',
      showInfo: async (kc) => ({ ok: false, text: `security: SecKeychainCopySettings ${kc}: User interaction is not allowed.` }),
    });
    expect(check.status).toBe('fail');
    expect(check.message).toContain('/Users/admin/Library/Keychains/login.keychain-db');
    expect(check.fix).toContain('unlock-keychain');
  });
});

it('status values for the gauge: ok 0, warn 1, fail 2', () => {
  expect(['ok', 'warn', 'fail', 'skipped'].map((s) => checkStatusValue(s as never))).toEqual([0, 1, 2, 0]);
});

// Root ignores file modes, so an unwritable TART_HOME can only be shown as non-root.
it.skipIf(process.getuid?.() === 0)('a read-only TART_HOME fails', async () => {
  const ro = path.join(dir, 'ro');
  await checkTartHome(ro);
  await chmod(ro, 0o500);
  expect((await checkTartHome(ro)).status).toBe('fail');
});
