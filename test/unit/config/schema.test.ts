import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/core/config/config-error';
import { defaultHostId } from '../../../src-main/core/config/host-id';
import { checkConfig, parseConfig } from '../../../src-main/core/config/load';
import type { EkidenConfigInput } from '../../../src-main/core/config/schema';

/** The smallest valid configuration. */
const minimal = (): Record<string, any> => ({
  github: {
    scope: { kind: 'org', org: 'acme' },
    auth: { kind: 'pat', token: { env: 'EKIDEN_GITHUB_TOKEN' } },
  },
  image: { ref: 'ghcr.io/cirruslabs/macos-sequoia-xcode:latest' },
  guest: { password: { env: 'EKIDEN_GUEST_PASSWORD' } },
});

function issuesOf(input: unknown) {
  const checked = checkConfig(input);
  if (checked.ok) throw new Error('expected the config to be rejected');
  return checked.issues;
}

describe('config defaults', () => {
  it('fills every default an operator leaves out', () => {
    const config = parseConfig(minimal());
    expect(config.hostId).toBe(defaultHostId(os.hostname()));
    expect(config.github.url).toBe('https://github.com');
    expect(config.github.apiUrl).toBeUndefined();
    expect(config.runner).toEqual({
      labels: [], group: '', workFolder: '_work', registration: 'jit', disableUpdate: false,
    });
    expect(config.image).toEqual({
      ref: 'ghcr.io/cirruslabs/macos-sequoia-xcode:latest',
      pullPolicy: 'always-check', checkIntervalMinutes: 15, concurrency: 4, cacheBudgetGb: 200,
    });
    expect(config.vm).toEqual({ slots: 2, randomMac: true, dirs: [], extraRunArgs: [] });
    expect(config.guest).toEqual({ user: 'admin', password: { env: 'EKIDEN_GUEST_PASSWORD' }, port: 22, ipResolver: 'dhcp' });
    expect(config.timeouts).toEqual({
      pull: 3600, clone: 600, boot: 120, ip: 120, connect: 180, register: 300, idle: 3600, job: 21600,
      finishing: 300, stop: 30, delete: 60,
    });
    expect(config.backoff).toEqual({
      initialSeconds: 5, maxSeconds: 300, jitter: 0.2, breakerFailures: 5, breakerWindowMinutes: 10, hostRebootAfter: 5,
      hostRetrySeconds: 30, hostRetryMaxSeconds: 600,
    });
    expect(config.tart).toEqual({ path: '/opt/homebrew/bin/tart' });
    expect(config.telemetry).toEqual({ exportIntervalSeconds: 30, logs: false });
    expect(config.reconcileIntervalSeconds).toBe(30);
    expect(config.sweepIntervalMinutes).toBe(10);
  });

  it('keeps values the operator gives and normalises URLs and paths', () => {
    const input = minimal();
    input.hostId = 'mac-mini-3';
    input.github.url = 'https://github.example.com/';
    input.github.apiUrl = 'http://127.0.0.1:4010/';
    input.github.auth = { kind: 'app', appId: '123456', privateKey: { file: '~/.config/ekiden/key.pem' }, installationId: 7 };
    input.vm = { slots: 1, dirs: [{ name: 'caches', hostPath: '/Users/ci/caches/' }] };
    input.tart = { home: '~/tart-home' };
    const config = parseConfig(input);
    expect(config.hostId).toBe('mac-mini-3');
    expect(config.github.url).toBe('https://github.example.com');
    expect(config.github.apiUrl).toBe('http://127.0.0.1:4010');
    expect(config.github.auth).toEqual({
      kind: 'app', appId: 123456, privateKey: { file: `${os.homedir()}/.config/ekiden/key.pem` }, installationId: 7,
    });
    expect(config.vm.slots).toBe(1);
    expect(config.vm.dirs).toEqual([{ name: 'caches', hostPath: '/Users/ci/caches', readOnly: true }]);
    expect(config.tart.home).toBe(`${os.homedir()}/tart-home`);
  });

  it('accepts an App client ID and the GHE.com and GHES shapes', () => {
    const input = minimal();
    input.github.url = 'https://acme.ghe.com';
    input.github.auth = { kind: 'app', appId: 'Iv23liAbCdEf123456', privateKey: { keychain: 'github-app-key' } };
    expect(parseConfig(input).github.auth).toMatchObject({ appId: 'Iv23liAbCdEf123456' });
    input.github.scope = { kind: 'repo', owner: 'acme', repo: 'widgets.js' };
    expect(parseConfig(input).github.scope).toEqual({ kind: 'repo', owner: 'acme', repo: 'widgets.js' });
    input.github.scope = { kind: 'enterprise', enterprise: 'acme-corp' };
    input.github.auth = { kind: 'pat', token: { env: 'EKIDEN_GITHUB_TOKEN' } };
    expect(parseConfig(input).github.scope).toEqual({ kind: 'enterprise', enterprise: 'acme-corp' });
  });

  it('derives the default host id from the short, lower-cased host name', () => {
    expect(defaultHostId('Johns-Mac-mini.local')).toBe('johns-mac-mini');
    expect(defaultHostId('CI_Runner 07.example.com')).toBe('ci-runner-07');
    expect(defaultHostId('---')).toBe('host');
    expect(defaultHostId('a'.repeat(50))).toHaveLength(32);
  });
});

type Mutate = (c: Record<string, any>) => void;

/** Each bad input, the field it names and the whole message (problem — fix). */
const exactCases: [string, Mutate, string, string][] = [
  ['org scope without org', (c) => (c.github.scope = { kind: 'org' }),
    'github.scope.org', 'required for scope "org" — set the organisation login, e.g. "acme"'],
  ['repo scope without owner', (c) => (c.github.scope = { kind: 'repo', repo: 'widgets' }),
    'github.scope.owner', 'required for scope "repo" — set the repository owner (user or organisation login), e.g. "acme"'],
  ['repo scope without repo', (c) => (c.github.scope = { kind: 'repo', owner: 'acme' }),
    'github.scope.repo', 'required for scope "repo" — set the repository name without the owner, e.g. "widgets"'],
  ['enterprise scope without slug', (c) => (c.github.scope = { kind: 'enterprise' }),
    'github.scope.enterprise', 'required for scope "enterprise" — set the enterprise slug, e.g. "acme-corp"'],
  ['three slots', (c) => (c.vm = { slots: 3 }),
    'vm.slots', 'must be 1 or 2 — Apple allows two macOS guests per host (other running macOS VMs count too)'],
  ['no guest credential', (c) => (c.guest = {}),
    'guest.password',
    'required unless guest.privateKey is set — reference the SSH password of the guest user, e.g. {"env": "EKIDEN_GUEST_PASSWORD"}, or set guest.privateKey'],
  ['enterprise scope with an App', (c) => {
    c.github.scope = { kind: 'enterprise', enterprise: 'acme-corp' };
    c.github.auth = { kind: 'app', appId: 1, privateKey: { env: 'K' } };
  }, 'github.auth.kind',
  'GitHub Apps cannot manage enterprise runners — use a classic PAT with the manage_runners:enterprise scope: {"kind": "pat", "token": {"env": "EKIDEN_GITHUB_TOKEN"}}'],
  ['a zero timeout', (c) => (c.timeouts = { boot: 0 }),
    'timeouts.boot', 'must be at least 1 second — set the boot bound in seconds, e.g. 120'],
  ['a fractional timeout', (c) => (c.timeouts = { job: 1.5 }),
    'timeouts.job', 'must be a whole number of seconds — set the maximum job duration in seconds, e.g. 21600'],
  ['a misspelt key', (c) => (c.runner = { lables: ['x'] }),
    'runner.lables',
    'unknown key — did you mean "labels"? (known keys here: labels, group, workFolder, registration, disableUpdate)'],
];

describe('config messages name the field and the fix', () => {
  it.each(exactCases)('%s', (_name, mutate, path, message) => {
    const input = minimal();
    mutate(input);
    expect(issuesOf(input)).toContainEqual({ path, message });
  });
});

/** Each bad input, the field it names, and words the message must contain (the problem and the fix). */
const cases: [string, Mutate, string, string[]][] = [
  ['no github', (c) => delete c.github, 'github', ['required', '"scope"', '"auth"']],
  ['no image', (c) => delete c.image, 'image', ['required', '{"ref": "ghcr.io/…"}']],
  ['missing scope kind', (c) => (c.github.scope = { org: 'acme' }), 'github.scope.kind', ['required', '{"kind": "org", "org": "acme"}']],
  ['unknown scope kind', (c) => (c.github.scope = { kind: 'team', org: 'acme' }), 'github.scope.kind', ['must be "repo", "org" or "enterprise"']],
  ['owner/repo in owner', (c) => (c.github.scope = { kind: 'repo', owner: 'acme/widgets', repo: 'widgets' }), 'github.scope.owner', ['GitHub login', 'e.g. "acme"']],
  ['owner in repo', (c) => (c.github.scope = { kind: 'repo', owner: 'acme', repo: 'acme/widgets' }), 'github.scope.repo', ['no owner, no "/"', '"widgets"']],
  ['unknown auth kind', (c) => (c.github.auth = { kind: 'oauth' }), 'github.auth.kind', ['must be "app" or "pat"', '"kind": "pat"']],
  ['App without id', (c) => (c.github.auth = { kind: 'app', privateKey: { env: 'K' } }), 'github.auth.appId', ['required for auth "app"', 'e.g. 123456']],
  ['App id zero', (c) => (c.github.auth = { kind: 'app', appId: 0, privateKey: { env: 'K' } }), 'github.auth.appId', ['positive App ID', 'client ID']],
  ['App without key', (c) => (c.github.auth = { kind: 'app', appId: 1 }), 'github.auth.privateKey', ['required for auth "app"', '{"env": "EKIDEN_GITHUB_APP_KEY"}']],
  ['PAT without token', (c) => (c.github.auth = { kind: 'pat' }), 'github.auth.token', ['required for auth "pat"', '{"env": "EKIDEN_GITHUB_TOKEN"}']],
  ['org URL as github.url', (c) => (c.github.url = 'https://github.com/acme'), 'github.url', ['without a path', 'github.scope']],
  ['API URL as github.url', (c) => (c.github.url = 'https://ghe.example.com/api/v3'), 'github.url', ['API URL', 'github.apiUrl']],
  ['not a URL', (c) => (c.github.url = 'github.com'), 'github.url', ['must be a URL', '"https://github.com"']],
  ['ftp URL', (c) => (c.github.apiUrl = 'ftp://x'), 'github.apiUrl', ['https://']],
  ['bad host id', (c) => (c.hostId = 'Mac_Mini'), 'hostId', ['lower-case letters, digits and "-"', '"mac-mini-3"']],
  ['long host id', (c) => (c.hostId = 'a'.repeat(33)), 'hostId', ['at most 32 characters']],
  ['label with comma', (c) => (c.runner = { labels: ['a,b'] }), 'runner.labels[0]', ['comma']],
  ['labels not a list', (c) => (c.runner = { labels: 'xcode' }), 'runner.labels', ['must be a list [...], not a string', '["xcode-16"]']],
  ['bad registration', (c) => (c.runner = { registration: 'pat' }), 'runner.registration', ['must be "jit" or "token"']],
  ['image without host', (c) => (c.image.ref = 'macos-sequoia-base:latest'), 'image.ref', ['registry host', 'ghcr.io/cirruslabs']],
  ['image with upper case', (c) => (c.image.ref = 'ghcr.io/Cirruslabs/macos:latest'), 'image.ref', ['lower-case image path']],
  ['image with bad digest', (c) => (c.image.ref = 'ghcr.io/cirruslabs/macos@sha256:abc'), 'image.ref', ['bad digest', '@sha256:<64']],
  ['image with tag and digest', (c) => (c.image.ref = `ghcr.io/a/b:latest@sha256:${'a'.repeat(64)}`), 'image.ref', ['either :tag or @sha256']],
  ['pinned without digest', (c) => (c.image.pullPolicy = 'pinned'), 'image.pullPolicy', ['"pinned" needs image.ref with a digest', 'tart fqn']],
  ['bad pull policy', (c) => (c.image.pullPolicy = 'never'), 'image.pullPolicy', ['must be "always-check", "if-missing" or "pinned"']],
  ['zero concurrency', (c) => (c.image.concurrency = 0), 'image.concurrency', ['at least 1', 'e.g. 4']],
  ['registry without password', (c) => (c.image.registry = { username: 'bot' }), 'image.registry.password', ['required for image.registry', 'EKIDEN_REGISTRY_PASSWORD']],
  ['slots as a string', (c) => (c.vm = { slots: '2' }), 'vm.slots', ['must be 1 or 2, not a string']],
  ['tiny memory', (c) => (c.vm = { memoryMb: 512 }), 'vm.memoryMb', ['at least 1024 MB']],
  ['relative share path', (c) => (c.vm = { dirs: [{ name: 'c', hostPath: 'caches' }] }), 'vm.dirs[0].hostPath', ['absolute path', '/Users/ci/caches']],
  ['share path with colon', (c) => (c.vm = { dirs: [{ name: 'c', hostPath: '/a:b' }] }), 'vm.dirs[0].hostPath', ['":"']],
  ['share name twice', (c) => (c.vm = { dirs: [{ name: 'c', hostPath: '/a' }, { name: 'c', hostPath: '/b' }] }), 'vm.dirs[1].name', ['used twice']],
  ['graphics flag', (c) => (c.vm = { extraRunArgs: ['--net-softnet', '--graphics'] }), 'vm.extraRunArgs[1]', ['"--graphics" is not allowed', 'headless']],
  ['dir flag', (c) => (c.vm = { extraRunArgs: ['--dir=x:/tmp'] }), 'vm.extraRunArgs[0]', ['"--dir"', 'vm.dirs']],
  ['bad port', (c) => (c.guest.port = 70000), 'guest.port', ['at most 65535']],
  ['bad host key pin', (c) => (c.guest.hostKeyPin = 'ab:cd'), 'guest.hostKeyPin', ['SHA256:', 'ssh-keygen -lf']],
  ['bad ip resolver', (c) => (c.guest.ipResolver = 'arp'), 'guest.ipResolver', ['must be "dhcp" or "agent"']],
  ['max below initial backoff', (c) => (c.backoff = { initialSeconds: 10, maxSeconds: 5 }), 'backoff.maxSeconds', ['at least backoff.initialSeconds', '10 or more']],
  ['jitter above 1', (c) => (c.backoff = { jitter: 1.5 }), 'backoff.jitter', ['at most 1', 'between 0 and 1']],
  ['relative tart path', (c) => (c.tart = { path: 'tart' }), 'tart.path', ['absolute path', '/opt/homebrew/bin/tart']],
  ['metrics path in endpoint', (c) => (c.telemetry = { endpoint: 'http://localhost:4318/v1/metrics' }), 'telemetry.endpoint', ['base URL', 'appends /v1/metrics']],
  ['authorization without endpoint', (c) => (c.telemetry = { authorization: { env: 'A' } }), 'telemetry.endpoint', ['required when telemetry.authorization']],
  ['export interval too short', (c) => (c.telemetry = { exportIntervalSeconds: 5 }), 'telemetry.exportIntervalSeconds', ['at least 10 seconds']],
  ['unknown top-level key', (c) => (c.slots = 2), 'slots', ['unknown key', 'hostId', 'vm']],
  ['unknown nested key', (c) => (c.github.scope.team = 'x'), 'github.scope.team', ['unknown key', 'kind, org']],
  ['not an object', (c) => (c.timeouts = 30), 'timeouts', ['must be an object, not a number']],
];

describe('config validation table', () => {
  it.each(cases)('%s', (_name, mutate, path, words) => {
    const input = minimal();
    mutate(input);
    const issues = issuesOf(input);
    const issue = issues.find((i) => i.path === path);
    expect(issue, `no issue at ${path}; got ${JSON.stringify(issues)}`).toBeDefined();
    expect(issue!.message).toContain(' — ');
    for (const word of words) expect(issue!.message).toContain(word);
  });

  it('reports every problem at once, one per unknown key', () => {
    const input = minimal();
    input.timeouts = { bot: 1, ipp: 2, boot: -1 };
    input.vm = { slots: 4 };
    expect(issuesOf(input).map((i) => i.path)).toEqual(['vm.slots', 'timeouts.boot', 'timeouts.bot', 'timeouts.ipp']);
  });

  it('throws a ConfigError whose message lists each field on its own line', () => {
    const input = minimal();
    input.github.scope = { kind: 'org' };
    input.vm = { slots: 3 };
    let error: unknown;
    try {
      parseConfig(input, '/etc/ekiden.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.reason).toBe('config_invalid');
    expect(configError.issues).toHaveLength(2);
    expect(configError.message).toBe(
      [
        'The configuration /etc/ekiden.json is invalid (2 problems):',
        '  - github.scope.org: required for scope "org" — set the organisation login, e.g. "acme"',
        '  - vm.slots: must be 1 or 2 — Apple allows two macOS guests per host (other running macOS VMs count too)',
      ].join('\n'),
    );
  });

  it('the input type accepts what an operator writes', () => {
    const input: EkidenConfigInput = {
      github: { scope: { kind: 'org', org: 'acme' }, auth: { kind: 'pat', token: { env: 'T' } } },
      image: { ref: 'ghcr.io/a/b:1' },
      guest: { privateKey: { file: '/k' } },
    };
    expect(parseConfig(input).guest.privateKey).toEqual({ file: '/k' });
  });
});
