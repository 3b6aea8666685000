import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPlist } from '../../support/plist';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (p: string) => readFile(path.join(root, p), 'utf8');

/** The string members of a TypeScript union type named in `source`, e.g. `type CheckId = 'a' | 'b'`. */
function unionMembers(source: string, pattern: RegExp): string[] {
  const body = pattern.exec(source)?.[1];
  if (!body) throw new Error(`no union matching ${pattern}`);
  return [...body.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
}

describe('docs/host-setup.md', () => {
  it('explains every `ekiden doctor` row', async () => {
    const doc = await read('docs/host-setup.md');
    const hostIds = unionMembers(await read('src-main/core/host/preflight.ts'), /export type CheckId =([^;]+);/)
      // github_auth is the group of the github_* rows; registry has no row of its own yet.
      .filter((id) => id !== 'github_auth' && id !== 'registry');
    const githubRows = unionMembers(await read('src-main/core/github/access-check.ts'), /check: ([^;]+);/).map((c) => `github_${c}`);
    const doctorRows = ['licence', 'image'];
    expect(hostIds).toContain('dhcp_lease_time');
    expect(githubRows).toContain('github_credentials');
    for (const id of [...hostIds, ...githubRows, ...doctorRows]) expect(doc, id).toContain(`\`${id}\``);
  });

  it('gives the fixes from tart.md §6 and §8 verbatim', async () => {
    const doc = await read('docs/host-setup.md');
    for (const command of [
      'sudo defaults write /Library/Preferences/SystemConfiguration/com.apple.InternetSharing.default.plist bootpd -dict DHCPLeaseTimeSecs -int 600',
      'sudo rm /var/db/dhcpd_leases',
      'sudo launchctl kickstart -kp system/com.apple.bootpd',
      'sudo defaults write com.apple.network.local-network AllowedEthernetLocalNetworkAddresses -array "10.0.0.0/8" "172.16.0.0/12" "192.168.0.0/16"',
      'security unlock-keychain login.keychain',
      'sudo pmset -a sleep 0',
    ]) {
      expect(doc, command).toContain(command);
    }
    expect(doc).toContain('100 host CPU cores per organisation');
  });
});

describe('docs/headless.md', () => {
  it('states the ExitTimeOut the plist has', async () => {
    const agent = (await readPlist(path.join(root, 'assets/launchd/dev.ekiden.agent.plist'))) as { ExitTimeOut: number };
    expect(await read('docs/headless.md')).toContain(`| \`ExitTimeOut\` | ${agent.ExitTimeOut} |`);
  });
});
