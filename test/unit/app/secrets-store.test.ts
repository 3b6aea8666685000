import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSecret } from '../../../src-main/core/config/secrets';
import { SafeStorageSecretStore } from '../../../src-main/app/secrets/safe-storage-store';
import { fake, resetFakeElectron } from './support/fake-electron';

let dir: string;
let file: string;
beforeEach(async () => {
  resetFakeElectron();
  dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-secrets-'));
  file = path.join(dir, 'secrets.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

describe('the safeStorage secret store', () => {
  it('keeps values encrypted in a 0600 file and gives them back to the core', async () => {
    const store = new SafeStorageSecretStore(file, fake.safeStorage);
    await store.set('github-app-key', PEM);
    await store.set('guest-password', 'hunter22');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('hunter22');
    expect(text).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
    expect(await store.names()).toEqual(['github-app-key', 'guest-password']);
    expect(await store.has('guest-password')).toBe(true);
    // A fresh store (the next app start) reads what the last one wrote.
    const again = new SafeStorageSecretStore(file, fake.safeStorage);
    expect(await readSecret({ keychain: 'github-app-key' }, 'github.auth.privateKey', { store: again })).toBe(PEM);
    expect(await again.get('missing')).toBeUndefined();
  });

  it('refuses to store anything when encryption is not available', async () => {
    fake.safeStorage.encryption.available = false;
    const store = new SafeStorageSecretStore(file, fake.safeStorage);
    await expect(store.set('github-token', 'ghp_x')).rejects.toThrow(/Keychain is not available/);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a name the config could not refer to', async () => {
    const store = new SafeStorageSecretStore(file, fake.safeStorage);
    await expect(store.set('../../etc/passwd', 'x')).rejects.toThrow(/not a valid secret name/);
  });

  it('keeps both of two secrets set at the same moment, and deletes one', async () => {
    const store = new SafeStorageSecretStore(file, fake.safeStorage);
    await Promise.all([store.set('a1', 'value-one'), store.set('b2', 'value-two')]);
    expect(await store.names()).toEqual(['a1', 'b2']);
    await store.delete('a1');
    expect(await store.names()).toEqual(['b2']);
  });

  it('narrows a file restored with wider permissions, and says what to do when a value cannot be decrypted', async () => {
    await writeFile(file, JSON.stringify({ version: 1, secrets: { 'github-token': Buffer.from('garbage').toString('base64') } }));
    await chmod(file, 0o644);
    const store = new SafeStorageSecretStore(file, fake.safeStorage);
    await expect(store.get('github-token')).rejects.toThrow(/set the secret again in Settings/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
