// The app's secret store: the core reads through SecretStore ({"keychain": name}); the settings UI
// writes. Values go in, never out: there is no way to list values, only names.
import type { SecretStore } from '../../core/config/secrets';

export interface WritableSecretStore extends SecretStore {
  set(name: string, value: string): Promise<void>;
  has(name: string): Promise<boolean>;
  names(): Promise<string[]>;
  delete(name: string): Promise<void>;
}

/** Keeps secrets in memory only (tests, and the web bridge, which has no safeStorage). */
export class MemorySecretStore implements WritableSecretStore {
  private readonly values = new Map<string, string>();

  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }

  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }

  async has(name: string): Promise<boolean> {
    return this.values.has(name);
  }

  async names(): Promise<string[]> {
    return [...this.values.keys()].sort();
  }

  async delete(name: string): Promise<void> {
    this.values.delete(name);
  }
}
