// The settings form's back end: the config as written, what the schema says about each field,
// which paths the organisation manages, whether each secret can be read (never its value);
// validation with the core schema and an atomic save.
import { stat } from 'node:fs/promises';
import type { ConfigIssue } from '../../core/config/config-error';
import { markManagedIssues } from '../../core/config/effective';
import { configJsonSchema } from '../../core/config/json-schema';
import { checkConfig, readConfigInput } from '../../core/config/load';
import { mergeManaged, readManagedSettings, type ManagedSettings, type ReadManagedOptions } from '../../core/config/managed';
import { writeFileAtomic } from '../../core/config/save';
import type { EkidenConfig } from '../../core/config/schema';
import { readSecret, secretUses } from '../../core/config/secrets';
import { ConfigError } from '../../core/config/config-error';
import type { SecretStatus, SettingsView, ValidationResult } from '../../ipc/types';
import { fieldDescriptions } from './settings-schema';
import type { WritableSecretStore } from './secret-store';

export interface SettingsServiceOptions {
  configFile: string;
  env: NodeJS.ProcessEnv;
  secrets: WritableSecretStore;
  managed?: ReadManagedOptions;
}

type Checked = { ok: true; config: EkidenConfig; issues: [] } | { ok: false; issues: ConfigIssue[] };

export class SettingsService {
  private descriptions: Record<string, string> | undefined;

  constructor(private readonly opts: SettingsServiceOptions) {}

  async view(): Promise<SettingsView> {
    const managed = await this.managed();
    const local = await this.readLocal();
    const issues: ConfigIssue[] = [...local.issues];
    let checked: Checked | undefined;
    if (local.input !== undefined || managed) {
      checked = this.check(local.input ?? {}, managed);
      issues.push(...checked.issues);
    }
    const secrets = checked?.ok ? await this.secretStatuses(checked.config) : [];
    return {
      configPath: this.opts.configFile,
      input: local.input ?? null,
      issues,
      descriptions: (this.descriptions ??= fieldDescriptions()),
      schema: configJsonSchema(),
      managedPaths: mergeManaged(local.input ?? {}, managed?.values).managedPaths,
      managedSources: managed?.sources ?? [],
      secrets,
      storedSecrets: await this.opts.secrets.names(),
    };
  }

  async validate(input: unknown): Promise<ValidationResult> {
    const checked = this.check(input, await this.managed());
    return { ok: checked.ok, issues: checked.issues };
  }

  /** Saves the local file atomically (0600) when the configuration in effect is valid; else writes nothing. */
  async save(input: unknown): Promise<ValidationResult> {
    const checked = this.check(input, await this.managed());
    if (!checked.ok) return { ok: false, issues: checked.issues };
    await writeFileAtomic(this.opts.configFile, `${JSON.stringify(input, null, 2)}\n`);
    return { ok: true, issues: [] };
  }

  private managed(): Promise<ManagedSettings | undefined> {
    return readManagedSettings(this.opts.managed);
  }

  /** The local file's JSON; a missing file is no issue (first run), a broken one is. */
  private async readLocal(): Promise<{ input?: unknown; issues: ConfigIssue[] }> {
    const exists = await stat(this.opts.configFile).then(() => true, (e: NodeJS.ErrnoException) => e.code !== 'ENOENT');
    if (!exists) return { issues: [] };
    try {
      return { input: await readConfigInput(this.opts.configFile), issues: [] };
    } catch (e) {
      if (e instanceof ConfigError) return { issues: e.issues };
      throw e;
    }
  }

  /** Validates what would be in effect: the input with the managed values laid over it. */
  private check(input: unknown, managed: ManagedSettings | undefined): Checked {
    const merged = mergeManaged(input, managed?.values);
    const result = checkConfig(merged.input);
    return result.ok ? { ok: true, config: result.config, issues: [] } : { ok: false, issues: markManagedIssues(result.issues, merged.managedPaths) };
  }

  private async secretStatuses(config: EkidenConfig): Promise<SecretStatus[]> {
    const ctx = { env: this.opts.env, store: this.opts.secrets };
    return Promise.all(
      secretUses(config).map(async ({ field, ref }) => {
        try {
          await readSecret(ref, field, ctx);
          return { field, ref, set: true };
        } catch (e) {
          const problem = e instanceof ConfigError ? e.issues[0]?.message : (e as Error).message;
          return { field, ref, set: false, ...(problem ? { problem } : {}) };
        }
      }),
    );
  }
}
