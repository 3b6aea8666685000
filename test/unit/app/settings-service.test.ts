import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EkidenConfig } from '../../../src-main/core/config/schema';
import { parseConfig } from '../../../src-main/core/config/load';
import { MemorySecretStore } from '../../../src-main/app/service/secret-store';
import { SettingsService } from '../../../src-main/app/service/settings-service';
import { restartReasons } from '../../../src-main/app/service/restart-reasons';

let dir: string;
let configFile: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-settings-'));
  configFile = path.join(dir, 'config.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const valid = () => ({
  hostId: 'mini',
  github: { scope: { kind: 'org', org: 'acme' }, auth: { kind: 'pat', token: { keychain: 'github-token' } } },
  image: { ref: 'ghcr.io/cirruslabs/macos-sequoia-xcode:latest' },
  guest: { password: { env: 'EKIDEN_TEST_GUEST_PW' } },
});

/** Managed preferences as macOS would hand them over (plutil -> JSON), from a directory of ours. */
async function managedDir(values: Record<string, unknown>) {
  const mdir = path.join(dir, 'managed');
  await import('node:fs/promises').then((fs) => fs.mkdir(mdir, { recursive: true }));
  await writeFile(path.join(mdir, 'dev.ekiden.app.plist'), JSON.stringify(values));
  return { platform: 'darwin' as const, dir: mdir, user: 'nobody', plistToJson: (f: string) => readFile(f, 'utf8') };
}

describe('the settings service', () => {
  it('shows the config as written, the schema\'s words, and whether each secret is set, never its value', async () => {
    await writeFile(configFile, JSON.stringify(valid()));
    const secrets = new MemorySecretStore();
    await secrets.set('github-token', 'ghp_secretvalue1234567890abcdefghij');
    const service = new SettingsService({ configFile, env: { EKIDEN_TEST_GUEST_PW: 'pw-from-env' }, secrets });
    const view = await service.view();
    expect(view.input).toEqual(valid());
    expect(view.issues).toEqual([]);
    expect(view.descriptions['vm.slots']).toMatch(/.+/);
    expect(view.descriptions['github.scope.org']).toBe('Organisation login.');
    expect(view.descriptions['timeouts.boot']).toBe('tart run until the VM reads running.');
    expect(view.secrets).toEqual([
      { field: 'github.auth.token', ref: { keychain: 'github-token' }, set: true },
      { field: 'guest.password', ref: { env: 'EKIDEN_TEST_GUEST_PW' }, set: true },
    ]);
    expect(view.storedSecrets).toEqual(['github-token']);
    const json = JSON.stringify(view);
    expect(json).not.toContain('ghp_secretvalue');
    expect(json).not.toContain('pw-from-env');
  });

  it('says which secret is missing and how to fix it', async () => {
    await writeFile(configFile, JSON.stringify(valid()));
    const view = await new SettingsService({ configFile, env: {}, secrets: new MemorySecretStore() }).view();
    expect(view.secrets.map((s) => [s.field, s.set])).toEqual([['github.auth.token', false], ['guest.password', false]]);
    expect(view.secrets[0].problem).toMatch(/not in Ekiden's secret store — add it in Settings/);
  });

  it('works on first run, before any config exists', async () => {
    const view = await new SettingsService({ configFile, env: {}, secrets: new MemorySecretStore() }).view();
    expect(view).toMatchObject({ input: null, issues: [], secrets: [], managedPaths: [] });
  });

  it('validates with the core schema and saves atomically as 0600, writing nothing when invalid', async () => {
    const service = new SettingsService({ configFile, env: {}, secrets: new MemorySecretStore() });
    const bad = { ...valid(), vm: { slots: 3 } };
    const checked = await service.validate(bad);
    expect(checked.ok).toBe(false);
    expect(checked.issues.map((i) => i.path)).toEqual(['vm.slots']);
    expect(await service.save(bad)).toMatchObject({ ok: false });
    await expect(stat(configFile)).rejects.toMatchObject({ code: 'ENOENT' });

    expect(await service.save(valid())).toEqual({ ok: true, issues: [] });
    expect((await stat(configFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(configFile, 'utf8'))).toEqual(valid());
  });

  it('lays managed settings over the input, lists their paths and marks their problems', async () => {
    const managed = await managedDir({ vm: { slots: 5 }, runner: { labels: ['fleet'] } });
    await writeFile(configFile, JSON.stringify(valid()));
    const service = new SettingsService({ configFile, env: {}, secrets: new MemorySecretStore(), managed });
    const view = await service.view();
    expect(view.managedPaths).toEqual(['runner.labels', 'vm.slots']);
    expect(view.managedSources).toEqual([path.join(managed.dir, 'dev.ekiden.app.plist')]);
    expect(view.issues).toEqual([expect.objectContaining({ path: 'vm.slots', managed: true, message: expect.stringMatching(/managed by your organisation/) })]);
    // A fleet may push everything but the secrets: a local file with only those validates.
    const fleet = await managedDir({ github: valid().github, image: valid().image });
    const onlyLocal = new SettingsService({ configFile, env: {}, secrets: new MemorySecretStore(), managed: fleet });
    expect(await onlyLocal.validate({ hostId: 'mini', guest: valid().guest })).toEqual({ ok: true, issues: [] });
  });
});

describe('which saved settings need a new host', () => {
  const base = parseConfig(valid());
  const secrets = { githubToken: 'ghp_1', guestPassword: 'pw' };
  const change = (edit: (c: EkidenConfig) => void) => {
    const next = structuredClone(base);
    edit(next);
    return next;
  };
  it.each<[string, EkidenConfig, Record<string, string>, string[]]>([
    ['a longer idle TTL', change((c) => (c.timeouts.idle = 7200)), secrets, []],
    ['extra labels', change((c) => (c.runner.labels = ['xcode-16'])), secrets, []],
    ['a new image', change((c) => (c.image.ref = 'ghcr.io/x/y:2')), secrets, []],
    ['a new guest password', base, { ...secrets, guestPassword: 'pw2' }, []],
    [`${base.vm.slots === 1 ? 'two slots' : 'one slot'}`, change((c) => (c.vm.slots = base.vm.slots === 1 ? 2 : 1)), secrets, ['vm.slots']],
    ['another organisation', change((c) => (c.github.scope = { kind: 'org', org: 'other' })), secrets, ['github']],
    ['a new token', base, { ...secrets, githubToken: 'ghp_2' }, ['github.auth.token (secret)']],
    ['a telemetry endpoint', change((c) => (c.telemetry.endpoint = 'http://localhost:4318')), secrets, ['telemetry']],
    ['another tart', change((c) => (c.tart.path = '/usr/local/bin/tart')), secrets, ['tart']],
  ])('%s', (_what, config, nextSecrets, reasons) => {
    expect(restartReasons({ config: base, secrets }, { config, secrets: nextSecrets })).toEqual(reasons);
  });
});
