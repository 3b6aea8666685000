import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizePrivateKey, validateCredentials } from '../../../src-main/core/github/auth';
import { latestVersionFromDownloads, pickRunnerGroup, toRunnerRecord } from '../../../src-main/core/github/octokit-client';
import type { GitHubSettings } from '../../../src-main/core/github/github-config';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('App private key', () => {
  it.each([
    ['PKCS#1', pkcs1],
    ['PKCS#8', pkcs8],
    ['escaped newlines (from an env file)', pkcs1.trim().replace(/\n/g, '\\n')],
    ['CRLF', pkcs8.replace(/\n/g, '\r\n')],
  ])('accepts %s', (_what, key) => {
    expect(normalizePrivateKey(key)).toMatch(/^-----BEGIN (RSA )?PRIVATE KEY-----\n/);
  });

  it.each([
    ['only the first line', '-----BEGIN RSA PRIVATE KEY-----'],
    ['garbage', 'hello'],
    ['an EC key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
  ])('rejects %s with a config error that does not echo the key', (_what, key) => {
    try {
      normalizePrivateKey(key);
      expect.unreachable();
    } catch (e) {
      expect((e as { reason: string }).reason).toBe('config_invalid');
      expect((e as Error).message).not.toContain(key.slice(0, 40));
    }
  });
});

describe('credentials for the scope (github.md §3)', () => {
  const settings = (credentials: GitHubSettings['credentials'], scope: GitHubSettings['scope']): GitHubSettings => ({ scope, credentials });
  const ent = { kind: 'enterprise', enterprise: 'big' } as const;

  it('refuses an App on enterprise scope with GitHub\'s own explanation', () => {
    expect(() => validateCredentials(settings({ kind: 'app', clientId: 'Iv23abc', privateKey: pkcs8 }, ent))).toThrow(
      /You cannot authenticate using a GitHub App for runners at the enterprise level: use a classic PAT/,
    );
  });

  it('refuses a fine-grained token on enterprise scope, accepts a classic one', () => {
    expect(() => validateCredentials(settings({ kind: 'fine_grained_pat', token: 'github_pat_x' }, ent))).toThrow(/fine-grained token/);
    expect(() => validateCredentials(settings({ kind: 'classic_pat', token: 'ghp_x' }, ent))).not.toThrow();
  });

  it('needs an App client ID or App ID', () => {
    expect(() => validateCredentials(settings({ kind: 'app', privateKey: pkcs8 }, { kind: 'org', org: 'acme' }))).toThrow(/client ID/);
    expect(() => validateCredentials(settings({ kind: 'app', appId: 42, privateKey: pkcs8 }, { kind: 'org', org: 'acme' }))).not.toThrow();
  });
});

describe('runner groups and downloads', () => {
  const groups = [
    { id: 1, name: 'Default', default: true },
    { id: 3, name: 'macOS-Pool', default: false },
  ];
  it.each([
    ['', 1],
    [undefined, 1],
    ['macos-pool', 3],
    ['MACOS-POOL', 3],
    ['  macOS-Pool ', 3],
    ['nope', null],
  ])('group %j -> %j', (name, id) => {
    expect(pickRunnerGroup(groups, name)).toBe(id);
  });

  it('reads the latest osx/arm64 version from the tarball name', () => {
    const apps = [
      { os: 'linux', architecture: 'arm64', filename: 'actions-runner-linux-arm64-2.336.0.tar.gz' },
      { os: 'osx', architecture: 'x64', filename: 'actions-runner-osx-x64-2.336.0.tar.gz' },
      { os: 'osx', architecture: 'arm64', filename: 'actions-runner-osx-arm64-2.337.1.tar.gz' },
    ];
    expect(latestVersionFromDownloads(apps)).toBe('2.337.1');
    expect(latestVersionFromDownloads(apps.slice(0, 2))).toBeNull();
  });

  it('keeps the runner fields the loop reads', () => {
    const r = toRunnerRecord({
      id: 23, name: 'mac-1', os: 'macos', status: 'online', busy: true, ephemeral: true,
      labels: [{ id: 5, name: 'self-hosted', type: 'read-only' }], runner_group_id: 1,
    } as never);
    expect(r).toEqual({
      id: 23, name: 'mac-1', os: 'macos', status: 'online', busy: true, ephemeral: true, version: null,
      labels: [{ id: 5, name: 'self-hosted', type: 'read-only' }], runner_group_id: 1,
    });
  });
});
