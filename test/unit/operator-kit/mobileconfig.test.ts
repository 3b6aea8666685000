import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEffectiveConfig } from '../../../src-main/core/config/effective';
import { MANAGED_DOMAIN, mergeManaged } from '../../../src-main/core/config/managed';
import { readPlist } from '../../support/plist';

const profileFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../assets/mdm/ekiden-fleet.mobileconfig');

type Dict = Record<string, unknown>;
let profile: Dict;
let payload: Dict;
let settings: Dict;
beforeAll(async () => {
  profile = (await readPlist(profileFile)) as Dict;
  payload = (profile.PayloadContent as Dict[])[0];
  const domain = (payload.PayloadContent as Dict)[MANAGED_DOMAIN] as Dict;
  settings = (domain.Forced as Dict[])[0].mcx_preference_settings as Dict;
});

const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i;

describe('the example fleet configuration profile', () => {
  it('is a Configuration profile with one managed-preferences payload for dev.ekiden.app', () => {
    expect(profile).toMatchObject({ PayloadType: 'Configuration', PayloadVersion: 1, PayloadScope: 'System' });
    for (const key of ['PayloadIdentifier', 'PayloadDisplayName']) expect(typeof profile[key]).toBe('string');
    expect(profile.PayloadContent).toHaveLength(1);
    expect(payload).toMatchObject({ PayloadType: 'com.apple.ManagedClient.preferences', PayloadVersion: 1 });
    expect(Object.keys(payload.PayloadContent as Dict)).toEqual([MANAGED_DOMAIN]);
  });

  it('has two distinct UUIDs and a payload identifier under the profile one', () => {
    expect(profile.PayloadUUID).toMatch(UUID);
    expect(payload.PayloadUUID).toMatch(UUID);
    expect(payload.PayloadUUID).not.toBe(profile.PayloadUUID);
    expect(String(payload.PayloadIdentifier).startsWith(`${String(profile.PayloadIdentifier)}.`)).toBe(true);
  });

  it('sets scope, image, slots, labels and telemetry', () => {
    expect(settings).toMatchObject({
      github: { scope: { kind: 'org', org: 'acme' } },
      image: { ref: 'git.example.com/ci/ekiden-runner:latest' },
      vm: { slots: 2 },
      runner: { labels: ['xcode-16', 'fleet'] },
      telemetry: { endpoint: 'https://otlp.example.com' },
    });
  });

  it('is a complete, valid configuration on a host with no config file, secrets as references only', () => {
    const merged = mergeManaged({}, settings);
    const config = parseEffectiveConfig(merged, 'config.json');
    expect(config.github.auth).toMatchObject({ kind: 'app', privateKey: { file: expect.stringMatching(/^\//) } });
    expect(config.image.registry?.password).toEqual({ file: expect.stringMatching(/\/\.config\/ekiden\/registry-password$/) });
    expect(config.guest.password).toHaveProperty('file');
    expect(config.telemetry.authorization).toHaveProperty('file');
    expect(merged.managedPaths).toEqual(
      expect.arrayContaining(['github.auth.privateKey', 'image.registry.password', 'runner.labels', 'vm.slots', 'telemetry.endpoint']),
    );
  });
});
