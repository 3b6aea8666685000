// Resolves the secret references of a configuration into values, at start and never into logs.
import { open } from 'node:fs/promises';
import { ConfigError, type ConfigIssue } from './config-error';
import type { EkidenConfig } from './schema';
import { describeRef, type SecretRef } from './secret-ref';

/** The app's secret store (safeStorage-backed in Electron). The CLI has none. */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
}

export interface SecretContext {
  env?: NodeJS.ProcessEnv;
  store?: SecretStore;
}

/** The secret values a configuration refers to; absent where the config names none. */
export interface ResolvedSecrets {
  githubToken?: string;
  githubPrivateKey?: string;
  registryPassword?: string;
  guestPassword?: string;
  guestPrivateKey?: string;
  otlpAuthorization?: string;
}

/** Every value, e.g. to register with the Redactor. */
export function secretValues(secrets: ResolvedSecrets): string[] {
  return Object.values(secrets).filter((v): v is string => typeof v === 'string');
}

class SecretProblem extends Error {}

/** Reads one secret; throws ConfigError naming `field` when it is missing or unsafe. */
export async function readSecret(ref: SecretRef, field: string, ctx: SecretContext = {}): Promise<string> {
  try {
    return await read(ref, ctx);
  } catch (e) {
    if (!(e instanceof SecretProblem)) throw e;
    throw new ConfigError([{ path: field, message: e.message }], undefined, secretsHeadline(1));
  }
}

async function read(ref: SecretRef, ctx: SecretContext): Promise<string> {
  if ('env' in ref) {
    const value = (ctx.env ?? process.env)[ref.env];
    if (value === undefined) {
      throw new SecretProblem(
        `environment variable ${ref.env} is not set — export it in the environment that starts Ekiden`,
      );
    }
    if (value.trim() === '') throw new SecretProblem(`environment variable ${ref.env} is empty — set it to the secret`);
    return value;
  }
  if ('file' in ref) return readSecretFile(ref.file);
  if (!ctx.store) {
    throw new SecretProblem(
      `${describeRef(ref)} needs the Ekiden app's secret store, which the command line does not have — ` +
        'use {"env": "…"} or {"file": "…"} for headless runs',
    );
  }
  const value = await ctx.store.get(ref.keychain);
  if (value === undefined || value === '') {
    throw new SecretProblem(`secret "${ref.keychain}" is not in Ekiden's secret store — add it in Settings`);
  }
  return value;
}

async function readSecretFile(file: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new SecretProblem(`file ${file} does not exist — write the secret into it, then run: chmod 600 ${file}`);
    }
    throw new SecretProblem(`cannot open ${file} (${code ?? 'error'}) — make it readable by the user running Ekiden`);
  }
  try {
    // Check the opened file itself, so a swap between check and read cannot slip through.
    const stat = await handle.stat();
    if (!stat.isFile()) throw new SecretProblem(`${file} is not a regular file — point the reference at the secret file`);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new SecretProblem(`${file} is readable by others (mode ${mode}) — run: chmod 600 ${file}`);
    }
    // A trailing newline (echo, editors) is not part of the secret.
    const value = (await handle.readFile('utf8')).replace(/[\r\n]+$/, '');
    if (value.trim() === '') throw new SecretProblem(`${file} is empty — write the secret into it`);
    return value;
  } finally {
    await handle.close();
  }
}

const secretsHeadline = (n: number): string =>
  `Ekiden cannot read its secrets (${n} ${n === 1 ? 'problem' : 'problems'}):`;

/** One secret a configuration refers to: where it goes, the config field, and the reference. */
export interface SecretUse {
  key: keyof ResolvedSecrets;
  field: string;
  ref: SecretRef;
}

/** Every secret reference of a configuration (e.g. for the settings UI's "is it set?"). */
export function secretUses(config: EkidenConfig): SecretUse[] {
  const wanted: [keyof ResolvedSecrets, string, SecretRef | undefined][] = [
    ['githubToken', 'github.auth.token', config.github.auth.kind === 'pat' ? config.github.auth.token : undefined],
    ['githubPrivateKey', 'github.auth.privateKey', config.github.auth.kind === 'app' ? config.github.auth.privateKey : undefined],
    ['registryPassword', 'image.registry.password', config.image.registry?.password],
    ['guestPassword', 'guest.password', config.guest.password],
    ['guestPrivateKey', 'guest.privateKey', config.guest.privateKey],
    ['otlpAuthorization', 'telemetry.authorization', config.telemetry.authorization],
  ];
  return wanted.flatMap(([key, field, ref]) => (ref ? [{ key, field, ref }] : []));
}

/** Resolves every secret the configuration names. Throws one ConfigError listing all problems. */
export async function resolveSecrets(config: EkidenConfig, ctx: SecretContext = {}): Promise<ResolvedSecrets> {
  const secrets: ResolvedSecrets = {};
  const issues: ConfigIssue[] = [];
  for (const { key, field, ref } of secretUses(config)) {
    try {
      secrets[key] = await read(ref, ctx);
    } catch (e) {
      if (!(e instanceof SecretProblem)) throw e;
      issues.push({ path: field, message: e.message });
    }
  }
  if (config.github.scope.kind === 'enterprise' && secrets.githubToken?.startsWith('github_pat_')) {
    issues.push({
      path: 'github.auth.token',
      message: 'a fine-grained PAT cannot manage enterprise runners — use a classic PAT with manage_runners:enterprise',
    });
  }
  if (issues.length > 0) throw new ConfigError(issues, undefined, secretsHeadline(issues.length));
  return secrets;
}
