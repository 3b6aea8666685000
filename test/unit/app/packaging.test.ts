// The macOS package's configuration, checked offline with electron-builder's own loader and schema
// validation (app-builder-lib), so a wrong or unknown key fails here and not on the release Mac.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlist } from '../../support/plist';

const ROOT = path.resolve(__dirname, '../../..');
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: unknown): Promise<Record<string, any>>;
  validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled?: boolean) => unknown };
const yaml = require('js-yaml') as { load(text: string): unknown };

const validate = (config: unknown) => validateConfiguration(config, new DebugLogger(false));

describe('electron-builder.yml', () => {
  it('is what electron-builder loads, and passes its schema validation', async () => {
    const config = await getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null);
    await expect(validate(config)).resolves.toBeUndefined();
    expect(config).toMatchObject({
      appId: 'dev.ekiden.app',
      productName: 'Ekiden',
      asar: true,
      mac: {
        target: [{ target: 'dmg', arch: ['arm64'] }],
        hardenedRuntime: true,
        notarize: true,
        entitlements: 'assets/entitlements.mac.plist',
        entitlementsInherit: 'assets/entitlements.mac.plist',
        extendInfo: { LSUIElement: true, NSLocalNetworkUsageDescription: expect.stringMatching(/SSH/) },
      },
    });
    expect(config.files).toEqual([{ filter: ['out/**/*', 'assets/tray/**/*', 'package.json'] }]);
  });

  it.each<[string, (c: Record<string, any>) => void, RegExp]>([
    ['an unknown top-level key', (c) => (c.notarise = true), /notarise/],
    // ajv folds a bad key inside `mac` into "configuration.mac should be one of these".
    ['an unknown mac key', (c) => (c.mac.hardenRuntime = true), /configuration\.mac\b/],
    ['an unknown key in extendInfo\'s neighbour dmg', (c) => (c.dmg.titel = 'x'), /configuration\.dmg\b/],
    ['a wrong type', (c) => (c.mac.hardenedRuntime = 'please'), /hardenedRuntime/],
    ['notarize as the old object form', (c) => (c.mac.notarize = { teamId: 'ABCDE12345' }), /notarize/],
    ['an unknown architecture', (c) => (c.mac.target = [{ target: 'dmg', arch: ['sparc'] }]), /configuration\.mac\b/],
  ])('rejects %s', async (_what, edit, message) => {
    const config = yaml.load(await readFile(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
    edit(config);
    await expect(validate(config)).rejects.toThrow(message);
  });

  it('points at entitlements that parse and allow what V8 needs, and nothing it does not', async () => {
    const entitlements = (await readPlist(path.join(ROOT, 'assets/entitlements.mac.plist'))) as Record<string, boolean>;
    expect(entitlements).toEqual({ 'com.apple.security.cs.allow-jit': true, 'com.apple.security.cs.allow-unsigned-executable-memory': true });
  });

  it('is built by npm scripts that bundle main, preload and renderer first', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { main: string; productName: string; scripts: Record<string, string> };
    expect(pkg.main).toBe('out/main/index.js');
    expect(pkg.productName).toBe('Ekiden');
    expect(pkg.scripts['build:app']).toBe('tsx scripts/build-app.ts');
    expect(pkg.scripts['dist:mac']).toMatch(/^npm run build:app && npm run build:renderer && electron-builder --mac dmg --arm64 --publish never$/);
  });
});
