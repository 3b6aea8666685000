import { describe, expect, it } from 'vitest';
import { apiBaseUrl, githubApiUrl, runnerLabels } from '../../../src-main/core/config/derived';
import { parseOciRef } from '../../../src-main/core/config/oci-ref';
import { configPath, defaultConfigPath, tartHome } from '../../../src-main/core/config/paths';

describe('apiBaseUrl (github.md §1)', () => {
  it.each([
    ['https://github.com', 'https://api.github.com'],
    ['https://www.github.com', 'https://api.github.com'],
    ['https://GitHub.com', 'https://api.github.com'],
    ['http://github.localhost', 'http://api.github.localhost'],
    ['https://acme.ghe.com', 'https://api.acme.ghe.com'],
    ['https://github.example.com', 'https://github.example.com/api/v3'],
    ['https://ghes.internal:8443', 'https://ghes.internal:8443/api/v3'],
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010/api/v3'],
  ])('%s -> %s', (web, api) => {
    expect(apiBaseUrl(web)).toBe(api);
  });

  it('prefers an explicit apiUrl (the simulator in dotcom mode)', () => {
    expect(githubApiUrl({ url: 'https://github.com', apiUrl: 'http://127.0.0.1:4010' })).toBe('http://127.0.0.1:4010');
    expect(githubApiUrl({ url: 'https://acme.ghe.com' })).toBe('https://api.acme.ghe.com');
  });
});

describe('runnerLabels', () => {
  it('puts the built-ins first and drops case-insensitive repeats', () => {
    expect(runnerLabels({ labels: ['xcode-16', 'macos', 'Xcode-16', 'gpu'] })).toEqual([
      'self-hosted', 'macOS', 'ARM64', 'xcode-16', 'gpu',
    ]);
  });
});

describe('parseOciRef', () => {
  const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
  it.each([
    ['ghcr.io/cirruslabs/macos-sequoia-xcode:latest', { host: 'ghcr.io', repository: 'cirruslabs/macos-sequoia-xcode', tag: 'latest' }],
    [`ghcr.io/cirruslabs/macos@${digest}`, { host: 'ghcr.io', repository: 'cirruslabs/macos', digest }],
    ['localhost:5000/ci/macos', { host: 'localhost:5000', repository: 'ci/macos' }],
    ['127.0.0.1:5000/macos:15.1', { host: '127.0.0.1:5000', repository: 'macos', tag: '15.1' }],
  ])('parses %s', (ref, expected) => {
    expect(parseOciRef(ref)).toEqual(expected);
  });
});

describe('config paths', () => {
  it('uses Application Support on macOS and XDG elsewhere', () => {
    expect(defaultConfigPath({ platform: 'darwin', home: '/Users/ci', env: {} })).toBe(
      '/Users/ci/Library/Application Support/Ekiden/config.json',
    );
    expect(defaultConfigPath({ platform: 'linux', home: '/home/ci', env: {} })).toBe('/home/ci/.config/ekiden/config.json');
    expect(defaultConfigPath({ platform: 'linux', home: '/home/ci', env: { XDG_CONFIG_HOME: '/xdg' } })).toBe(
      '/xdg/ekiden/config.json',
    );
    expect(defaultConfigPath({ platform: 'linux', home: '/home/ci', env: { XDG_CONFIG_HOME: 'rel' } })).toBe(
      '/home/ci/.config/ekiden/config.json',
    );
  });

  it('lets an override, then EKIDEN_CONFIG, replace the default', () => {
    const ctx = { platform: 'linux' as const, home: '/home/ci', env: { EKIDEN_CONFIG: '/etc/ekiden.json' } };
    expect(configPath({ ...ctx, override: '/tmp/c.json' })).toBe('/tmp/c.json');
    expect(configPath(ctx)).toBe('/etc/ekiden.json');
    expect(configPath({ ...ctx, env: {} })).toBe('/home/ci/.config/ekiden/config.json');
  });

  it('defaults TART_HOME to ~/.tart', () => {
    expect(tartHome(undefined, '/Users/ci')).toBe('/Users/ci/.tart');
    expect(tartHome('/Volumes/fast/tart', '/Users/ci')).toBe('/Volumes/fast/tart');
  });
});
