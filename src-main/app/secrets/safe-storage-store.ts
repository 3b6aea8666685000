// The app's secret store: each value encrypted with safeStorage (a key macOS keeps in the user's
// login Keychain), the blobs in one 0600 JSON file under userData. Electron 39's safeStorage is
// synchronous only; the file I/O around it is async. Nothing is ever stored unencrypted.
import type { SafeStorage } from 'electron';
import { chmod, readFile } from 'node:fs/promises';
import { SECRET_NAME } from '../../core/config/secret-name';
import { writeFileAtomic } from '../../core/config/save';
import type { WritableSecretStore } from '../service/secret-store';

export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>;

interface SecretFile {
  version: 1;
  /** name -> base64 of safeStorage's ciphertext */
  secrets: Record<string, string>;
}

export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
}

export class SafeStorageSecretStore implements WritableSecretStore {
  /** Writes one at a time, so two quick saves cannot lose each other's secret. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly safe: SafeStorageLike,
  ) {}

  async get(name: string): Promise<string | undefined> {
    const blob = (await this.read()).secrets[name];
    if (blob === undefined) return undefined;
    try {
      return this.safe.decryptString(Buffer.from(blob, 'base64'));
    } catch (e) {
      throw new SecretStoreError(
        `cannot decrypt secret "${name}" (${(e as Error).message}) — the Keychain item "Ekiden Safe Storage" may have been reset: set the secret again in Settings`,
      );
    }
  }

  async set(name: string, value: string): Promise<void> {
    if (!SECRET_NAME.test(name)) throw new SecretStoreError(`"${name}" is not a valid secret name — use letters, digits, ".", "_" or "-"`);
    if (!this.safe.isEncryptionAvailable()) {
      throw new SecretStoreError('the macOS Keychain is not available, so the secret cannot be stored encrypted — unlock the login keychain and try again');
    }
    const blob = this.safe.encryptString(value).toString('base64');
    await this.update((secrets) => {
      secrets[name] = blob;
    });
  }

  async has(name: string): Promise<boolean> {
    return Object.hasOwn((await this.read()).secrets, name);
  }

  async names(): Promise<string[]> {
    return Object.keys((await this.read()).secrets).sort();
  }

  async delete(name: string): Promise<void> {
    await this.update((secrets) => {
      delete secrets[name];
    });
  }

  private update(change: (secrets: Record<string, string>) => void): Promise<void> {
    const run = this.writes.then(async () => {
      const data = await this.read();
      change(data.secrets);
      await writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`, 0o600);
    });
    this.writes = run.catch(() => {});
    return run;
  }

  private async read(): Promise<SecretFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} };
      throw e;
    }
    // A copy restored with wider permissions is narrowed again.
    await chmod(this.file, 0o600).catch(() => {});
    const parsed = JSON.parse(text) as Partial<SecretFile>;
    const secrets: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(parsed.secrets ?? {})) if (typeof v === 'string' && SECRET_NAME.test(k)) secrets[k] = v;
    return { version: 1, secrets };
  }
}
