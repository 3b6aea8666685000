import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadHostConfig } from '../../../src-main/cli/load-host-config';
import { ConfigError } from '../../../src-main/core/config/config-error';
import { parseEffectiveConfig } from '../../../src-main/core/config/effective';
import { isManagedPath, MANAGED_NOTE, mergeManaged, readManagedSettings } from '../../../src-main/core/config/managed';
import { plistToJson, writePlist } from '../../support/plist';

const local = {
  github: { scope: { kind: 'org', org: 'acme' }, auth: { kind: 'pat', token: { env: 'EKIDEN_GITHUB_TOKEN' } } },
  image: { ref: 'ghcr.io/cirruslabs/macos-sequoia-base:latest' },
  guest: { password: { env: 'EKIDEN_GUEST_PASSWORD' } },
  runner: { labels: ['local-a', 'local-b'], group: 'local-group' },
  vm: { slots: 1, cpu: 4 },
};

describe('mergeManaged: managed values win per leaf', () => {
  it.each([
    ['a managed scalar beats the local one; siblings stay', { vm: { slots: 1, cpu: 4 } }, { vm: { slots: 2 } }, { vm: { slots: 2, cpu: 4 } }, ['vm.slots']],
    ['a managed value fills an absent section', {}, { telemetry: { endpoint: 'https://otlp.example.com' } }, { telemetry: { endpoint: 'https://otlp.example.com' } }, ['telemetry.endpoint']],
    ['arrays replace whole, never concatenate', { runner: { labels: ['a', 'b', 'c'], group: 'g' } }, { runner: { labels: ['z'] } }, { runner: { labels: ['z'], group: 'g' } }, ['runner.labels']],
    ['an empty managed array empties the list', { runner: { labels: ['a'] } }, { runner: { labels: [] } }, { runner: { labels: [] } }, ['runner.labels']],
    ['a secret reference replaces whole (no {env, file} mix)', { github: { auth: { kind: 'pat', token: { file: '/s/t' } } } }, { github: { auth: { token: { env: 'T' } } } }, { github: { auth: { kind: 'pat', token: { env: 'T' } } } }, ['github.auth.token']],
    ['the same variant (kind) merges per leaf', { github: { auth: { kind: 'app', appId: 1, privateKey: { env: 'K' } } } }, { github: { auth: { kind: 'app', appId: 2 } } }, { github: { auth: { kind: 'app', appId: 2, privateKey: { env: 'K' } } } }, ['github.auth.appId', 'github.auth.kind']],
    ['another variant (kind) replaces the object whole', { github: { scope: { kind: 'repo', owner: 'o', repo: 'r' } } }, { github: { scope: { kind: 'org', org: 'acme' } } }, { github: { scope: { kind: 'org', org: 'acme' } } }, ['github.scope']],
    ['a managed section replaces a local non-object', { vm: 3 }, { vm: { slots: 2 } }, { vm: { slots: 2 } }, ['vm.slots']],
    ['no managed settings: the local input as it is', { vm: { slots: 1 } }, undefined, { vm: { slots: 1 } }, []],
  ] as const)('%s', (_name, base, managed, input, paths) => {
    const merged = mergeManaged(structuredClone(base), managed && structuredClone(managed));
    expect(merged.input).toEqual(input);
    expect(merged.managedPaths).toEqual(paths);
  });

  it('does not modify the local input', () => {
    const before = structuredClone(local);
    const input = structuredClone(local);
    mergeManaged(input, { vm: { slots: 2 }, runner: { labels: ['m'] } });
    expect(input).toEqual(before);
  });

  it('keeps "__proto__" an ordinary key, reported as unknown', () => {
    const managed = JSON.parse('{"vm": {"__proto__": {"slots": 2}}}') as Record<string, unknown>;
    const merged = mergeManaged(structuredClone(local), managed);
    expect(Object.getPrototypeOf((merged.input as { vm: object }).vm)).toBe(Object.prototype);
    expect(() => parseEffectiveConfig(merged)).toThrow(/vm\.__proto__: unknown key/);
  });

  it.each([
    ['vm.slots', true],
    ['github.scope.org', true],
    ['github.scope', true],
    ['github', false],
    ['vm.cpu', false],
    ['vm.slotsX', false],
  ])('isManagedPath(%j) with vm.slots and github.scope managed is %s', (field, managed) => {
    expect(isManagedPath(field, ['github.scope', 'vm.slots'])).toBe(managed);
  });
});

describe('validation of managed values', () => {
  const managedError = (managed: Record<string, unknown>, base: Record<string, unknown> = local) => {
    try {
      parseEffectiveConfig(mergeManaged(structuredClone(base), managed), '/cfg/config.json', ['/Library/Managed Preferences/dev.ekiden.app.plist']);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return e as ConfigError;
    }
    throw new Error('expected a ConfigError');
  };

  it.each([
    ['a wrong type', { vm: { slots: '2' } }, 'vm.slots', 'must be 1 or 2, not a string'],
    ['an out-of-range value', { vm: { slots: 3 } }, 'vm.slots', 'must be 1 or 2'],
    ['an inline secret', { github: { auth: { token: 'ghp_managedsecret' } } }, 'github.auth.token', 'secrets are never written inline in the config'],
    ['a bad list element', { runner: { labels: ['a,b'] } }, 'runner.labels[0]', 'must not contain a comma'],
    ['an unknown variant', { github: { scope: { kind: 'team', org: 'acme' } } }, 'github.scope.kind', 'must be "repo", "org" or "enterprise"'],
    ['a misspelt key', { vm: { slotz: 2 } }, 'vm.slotz', 'unknown key — did you mean "slots"?'],
    ['another variant missing its fields', { github: { auth: { kind: 'app', appId: 5 } } }, 'github.auth.privateKey', 'required for auth "app"'],
  ])('%s: the error names the field and says it is managed', (_name, managed, field, problem) => {
    const error = managedError(managed);
    const issue = error.issues.find((i) => i.path === field);
    expect(issue, JSON.stringify(error.issues)).toBeDefined();
    expect(issue!.message).toContain(problem);
    expect(issue!.message.endsWith(` ${MANAGED_NOTE}`)).toBe(true);
    expect(MANAGED_NOTE).toBe('(managed by your organisation)');
    expect(issue!.managed).toBe(true);
    expect(error.message).toContain(`  - ${field}: `);
    expect(error.message.split('\n')[0]).toBe(
      'The configuration /cfg/config.json with the settings managed by your organisation ' +
        '(/Library/Managed Preferences/dev.ekiden.app.plist) is invalid (1 problem):',
    );
    expect(error.message).not.toContain('ghp_managedsecret');
  });

  it('a local mistake is not blamed on the organisation', () => {
    const error = managedError({ telemetry: { endpoint: 'https://otlp.example.com' } }, { ...local, vm: { slots: 3 } });
    expect(error.issues).toEqual([{ path: 'vm.slots', message: expect.not.stringContaining(MANAGED_NOTE) }]);
    expect(error.message.split('\n')[0]).toBe('The configuration /cfg/config.json is invalid (1 problem):');
  });
});

describe('readManagedSettings', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-managed-'));
    await mkdir(path.join(dir, 'ci'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const device = () => path.join(dir, 'dev.ekiden.app.plist');
  const user = () => path.join(dir, 'ci', 'dev.ekiden.app.plist');
  const read = (platform: NodeJS.Platform = 'darwin') => readManagedSettings({ platform, dir, user: 'ci', plistToJson });

  it('finds none when no profile set the domain', async () => {
    expect(await read()).toBeUndefined();
  });

  it('reads nothing off macOS, even where the files exist', async () => {
    await writePlist(device(), { vm: { slots: 1 } });
    expect(await read('linux')).toBeUndefined();
  });

  it('reads the device-wide file, binary or XML, without payload metadata', async () => {
    await writePlist(device(), { PayloadUUID: 'X', vm: { slots: 1 }, runner: { labels: ['fleet'] } }, 'binary');
    expect(await read()).toEqual({ values: { vm: { slots: 1 }, runner: { labels: ['fleet'] } }, sources: [device()] });
  });

  it('lets the per-user file win per leaf over the device-wide one', async () => {
    await writePlist(device(), { vm: { slots: 1, cpu: 4 }, runner: { labels: ['a', 'b'] } });
    await writePlist(user(), { vm: { slots: 2 }, runner: { labels: ['c'] } });
    expect(await read()).toEqual({ values: { vm: { slots: 2, cpu: 4 }, runner: { labels: ['c'] } }, sources: [device(), user()] });
  });

  it.each([
    ['is no property list', async (f: string) => writeFile(f, 'not a plist'), 'not a property list Ekiden can read'],
    ['has a date (no JSON form, as plutil says)', async (f: string) => writeFile(f, '<?xml version="1.0"?><plist version="1.0"><dict><key>d</key><date>2026-01-01T00:00:00Z</date></dict></plist>'), 'not a property list Ekiden can read'],
    ['is a list, not a dictionary', async (f: string) => writePlist(f, ['a']), 'must be a dictionary, not an array'],
  ])('refuses a managed file that %s, naming the file', async (_what, write, problem) => {
    await write(device());
    const error = await read().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues[0];
    expect(issue.message).toContain(problem);
    expect(issue.message).toContain('ask your Mac administrator to fix the configuration profile for dev.ekiden.app');
    expect((error as ConfigError).message.split('\n')[0]).toBe(`Cannot read the settings managed by your organisation (${device()}):`);
  });
});

describe('loadHostConfig honours managed settings (ekiden run / doctor)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-managed-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const env = { EKIDEN_GITHUB_TOKEN: 'ghp_local', EKIDEN_GUEST_PASSWORD: 'admin' };
  const managedOptions = () => ({ platform: 'darwin' as const, dir: path.join(dir, 'managed'), user: 'ci', plistToJson });

  it('lays the profile over the file and reports the managed paths and files', async () => {
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify(local));
    await mkdir(path.join(dir, 'managed'));
    await writePlist(path.join(dir, 'managed', 'dev.ekiden.app.plist'), { vm: { slots: 2 }, runner: { labels: ['fleet'] } });
    const loaded = await loadHostConfig(file, env, managedOptions());
    expect(loaded.config.vm).toMatchObject({ slots: 2, cpu: 4 });
    expect(loaded.config.runner).toMatchObject({ labels: ['fleet'], group: 'local-group' });
    expect(loaded.managedPaths).toEqual(['runner.labels', 'vm.slots']);
    expect(loaded.managedSources).toEqual([path.join(dir, 'managed', 'dev.ekiden.app.plist')]);
    expect(loaded.secrets).toEqual({ githubToken: 'ghp_local', guestPassword: 'admin' });
  });

  it('runs on the profile alone when the host has no config file', async () => {
    await mkdir(path.join(dir, 'managed'));
    await writePlist(path.join(dir, 'managed', 'dev.ekiden.app.plist'), local);
    const loaded = await loadHostConfig(path.join(dir, 'missing.json'), env, managedOptions());
    expect(loaded.config.github.scope).toEqual({ kind: 'org', org: 'acme' });
    expect(loaded.managedPaths).toContain('github.scope.org');
  });

  it('says the file is missing when the profile alone is incomplete', async () => {
    await mkdir(path.join(dir, 'managed'));
    const plist = path.join(dir, 'managed', 'dev.ekiden.app.plist');
    await writePlist(plist, { vm: { slots: 2 } });
    const missing = path.join(dir, 'missing.json');
    const error = await loadHostConfig(missing, env, managedOptions()).then(
      () => undefined,
      (e: unknown) => e as ConfigError,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message.split('\n')[0]).toBe(
      `There is no configuration file ${missing}, and the settings managed by your organisation (${plist}) are incomplete (3 problems):`,
    );
    expect(error!.issues.map((i) => i.path)).toEqual(['github', 'image', 'guest.password']);
  });

  it('without a profile behaves as before: the file alone, nothing managed', async () => {
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify(local));
    const loaded = await loadHostConfig(file, env, managedOptions());
    expect(loaded.config.vm.slots).toBe(1);
    expect(loaded.managedPaths).toEqual([]);
    expect(loaded.managedSources).toEqual([]);
  });

  it('still explains a missing file when nothing is managed', async () => {
    await expect(loadHostConfig(path.join(dir, 'missing.json'), env, managedOptions())).rejects.toThrow(/no configuration file here/);
  });
});
