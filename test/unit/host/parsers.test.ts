import { describe, expect, it } from 'vitest';
import {
  compareVersions, digestOf, normalizeMac, parseFqn, parseGet, parseIp, parseList, parsePull, parseVersion, parseVmConfigMac,
  TartParseError,
} from '../../../src-main/core/host/tart/parsers';

const DIGEST = 'sha256:4c3a0b7a91d5a1f2e55e0a7f3c2b1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c';

describe('tart list --format json (tart.md §4 list)', () => {
  it('parses entries by key name whatever the key order, ignoring extra keys', () => {
    const text = `[
  {
    "State" : "running",
    "Running" : true,
    "Accessed" : "2026-05-12T10:00:00Z",
    "Size" : 21,
    "Disk" : 50,
    "Name" : "ekiden-mini-0-abc",
    "Source" : "local",
    "Future" : {"x": 1}
  },
  {
    "Source" : "OCI",
    "Name" : "ghcr.io/cirruslabs/macos-sequoia-base:latest",
    "Disk" : 50, "Size" : 24, "Accessed" : "2026-05-11T09:00:00Z", "Running" : false, "State" : "stopped"
  },
  {
    "Name" : "ghcr.io/cirruslabs/macos-sequoia-base@${DIGEST}", "Source" : "OCI",
    "Running" : false, "State" : "stopped", "Accessed" : "2026-05-11T09:00:00Z", "Disk" : 50, "Size" : 24
  },
  {"Source":"local","Name":"paused","Disk":50,"Size":30,"Accessed":"2026-05-10T00:00:00Z","Running":false,"State":"suspended"}
]`;
    expect(parseList(text)).toEqual([
      { name: 'ekiden-mini-0-abc', source: 'local', running: true, state: 'running', sizeGb: 21, diskGb: 50, accessed: '2026-05-12T10:00:00Z' },
      { name: 'ghcr.io/cirruslabs/macos-sequoia-base:latest', source: 'oci', running: false, state: 'stopped', sizeGb: 24, diskGb: 50, accessed: '2026-05-11T09:00:00Z' },
      { name: `ghcr.io/cirruslabs/macos-sequoia-base@${DIGEST}`, source: 'oci', running: false, state: 'stopped', sizeGb: 24, diskGb: 50, accessed: '2026-05-11T09:00:00Z' },
      { name: 'paused', source: 'local', running: false, state: 'suspended', sizeGb: 30, diskGb: 50, accessed: '2026-05-10T00:00:00Z' },
    ]);
  });

  it.each([['[]'], ['[\n\n]'], ['']])('an empty list %j is no VMs', (text) => {
    expect(parseList(text)).toEqual([]);
  });

  it('without State, Running decides', () => {
    expect(parseList('[{"Source":"local","Name":"a","Disk":1,"Size":1,"Accessed":"x","Running":true}]')[0].state).toBe('running');
  });

  it.each([['not json'], ['{}'], ['[{"Name":"a"}]'], ['[{"Name":1,"Source":"local","Running":false}]']])('rejects %j', (text) => {
    expect(() => parseList(text)).toThrow(TartParseError);
  });
});

describe('tart get --format json', () => {
  it('reads every documented key by name', () => {
    const text = '{"Size":"21.734","State":"stopped","Display":"1024x768","Running":false,"DiskFormat":"raw","Disk":50,"Memory":8192,"CPU":4,"OS":"darwin"}';
    expect(parseGet(text)).toEqual({ os: 'darwin', cpu: 4, memoryMb: 8192, diskGb: 50, diskFormat: 'raw', sizeGb: 21.734, display: '1024x768', running: false, state: 'stopped' });
  });
});

describe('tart pull output', () => {
  const remote = 'ghcr.io/cirruslabs/macos-sequoia-base:latest';
  it('`already cached and linked!` means the tag is unchanged', () => {
    const lines = [`pulling ${remote}...`, 'pulling manifest...', `ghcr.io/cirruslabs/macos-sequoia-base@${DIGEST} image is already cached and linked!`];
    expect(parsePull(lines)).toEqual({ changed: false, digestName: `ghcr.io/cirruslabs/macos-sequoia-base@${DIGEST}` });
  });

  it('a cached digest that needed a new symlink is a change of the tag', () => {
    const lines = [`pulling ${remote}...`, 'pulling manifest...', `ghcr.io/cirruslabs/macos-sequoia-base@${DIGEST} image is already cached! creating a symlink...`];
    expect(parsePull(lines).changed).toBe(true);
  });

  it('a full download is a change', () => {
    const lines = [
      `pulling ${remote}...`, 'pulling manifest...', 'waiting for lock...', 'pulling disk (24.1 GB compressed)...', '0%', '37%', '100%', 'pulling NVRAM...',
    ];
    expect(parsePull(lines)).toEqual({ changed: true });
  });

  it('a local image of that name has nothing to pull', () => {
    expect(parsePull(['"base" is a local image, nothing to pull here!']).changed).toBe(false);
  });

  it('retry lines do not decide anything', () => {
    expect(parsePull(['Error pulling image: "The network connection was lost.", attempting to re-try...', 'pulling manifest...']).changed).toBe(true);
  });
});

describe('tart --version, fqn, ip', () => {
  it.each([['2.32.1\n', '2.32.1'], ['SNAPSHOT\n', 'SNAPSHOT'], ['2.20\n', '2.20']])('version %j', (text, v) => {
    expect(parseVersion(text)).toBe(v);
  });
  it('rejects a non-version', () => expect(() => parseVersion('Usage: tart')).toThrow(TartParseError));

  it.each([
    ['2.32.1', '2.20.0', 1], ['2.20.0', '2.20', 0], ['2.9.9', '2.20.0', -1], ['3.0.0', '3.0.0', 0], ['2.31.0', '3.0.0', -1],
  ])('compareVersions(%s, %s) has sign %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  it('fqn prints the digest-qualified name', () => {
    const fqn = parseFqn(`ghcr.io/cirruslabs/macos-sequoia-base@${DIGEST}\n`);
    expect(fqn).toBe(`ghcr.io/cirruslabs/macos-sequoia-base@${DIGEST}`);
    expect(digestOf(fqn)).toBe(DIGEST);
    expect(digestOf('local-vm')).toBeUndefined();
  });

  it('fqn of a local name echoes it; a port in the host survives', () => {
    expect(parseFqn('base\n')).toBe('base');
    expect(parseFqn(`reg:5000/ns/img@${DIGEST}`)).toBe(`reg:5000/ns/img@${DIGEST}`);
  });

  it.each([['192.168.64.3\n', '192.168.64.3'], ['127.0.0.7', '127.0.0.7']])('ip %j', (text, ip) => expect(parseIp(text)).toBe(ip));
  it.each([[''], ['no IP'], ['192.168.64'], ['300.1.1.1']])('ip rejects %j', (text) => expect(() => parseIp(text)).toThrow(TartParseError));
});

describe('VM config.json', () => {
  it('reads macAddress (tart.md §1) normalised', () => {
    const text = JSON.stringify({ version: 1, os: 'darwin', arch: 'arm64', cpuCount: 4, memorySize: 8589934592, macAddress: '7E:3E:A:1b:0:ff', display: {} });
    expect(parseVmConfigMac(text)).toBe('7e:3e:0a:1b:00:ff');
  });
  it('refuses a config without a MAC', () => expect(() => parseVmConfigMac('{"os":"darwin"}')).toThrow(TartParseError));
  it('normalizeMac pads and lower-cases', () => expect(normalizeMac(' 0E:5:Aa:00:1:2 ')).toBe('0e:05:aa:00:01:02'));
});
