// Fleet configuration: settings an organisation pushes by MDM (a configuration profile for the
// preference domain dev.ekiden.app) override the local config file, leaf by leaf.
import { execa } from 'execa';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, formatPath } from './config-error';
import { jsonKind } from './fields';

/** The app's bundle identifier, which is also its preference domain. */
export const MANAGED_DOMAIN = 'dev.ekiden.app';
/** Where macOS materialises installed configuration profiles, per domain. */
export const MANAGED_PREFERENCES_DIR = '/Library/Managed Preferences';
/** Appended to every validation message about a managed value. */
export const MANAGED_NOTE = '(managed by your organisation)';

/** Managed values, shaped like the config JSON (nested dictionaries). */
export type ManagedValues = Record<string, unknown>;

export interface ManagedSettings {
  values: ManagedValues;
  /** The plist files that were read, lowest precedence first. */
  sources: string[];
}

export interface ReadManagedOptions {
  platform?: NodeJS.Platform;
  /** Short user name for the per-user file; default: the current user. */
  user?: string;
  /** Default: /Library/Managed Preferences. */
  dir?: string;
  domain?: string;
  /** Converts a plist file (XML or binary) to JSON text; default `plutil -convert json -o - <file>`. */
  plistToJson?: (file: string) => Promise<string>;
}

type Tree = Record<string, unknown>;

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Own-property write, so a key like "__proto__" stays an ordinary (and then unknown) key. */
function put(obj: Tree, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function own(obj: Tree, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

function cloneJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneJson);
  if (!isTree(v)) return v;
  const out: Tree = {};
  for (const key of Object.keys(v)) put(out, key, cloneJson(v[key]));
  return out;
}

/** A secret reference ({"env"|"file"|"keychain": …}) is one value, never merged key by key. */
function isSecretRefLike(v: Tree): boolean {
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k === 'env' || k === 'file' || k === 'keychain');
}

/**
 * Lays `top` over `base`: dictionaries merge per key, everything else (scalars, arrays, secret
 * references) replaces whole. An object whose `kind` differs from the base's (github.scope,
 * github.auth) is another variant, so it replaces whole too: the local variant's fields would not fit.
 */
function overlay(base: unknown, top: unknown, at: string[], paths: string[]): unknown {
  if (!isTree(top) || isSecretRefLike(top)) {
    paths.push(formatPath(at));
    return cloneJson(top);
  }
  const otherVariant = isTree(base) && Object.hasOwn(top, 'kind') && Object.hasOwn(base, 'kind') && base.kind !== top.kind;
  if (otherVariant || (!isTree(base) && base !== undefined && Object.keys(top).length === 0)) {
    paths.push(formatPath(at));
    return cloneJson(top);
  }
  return overlayKeys(isTree(base) ? base : {}, top, at, paths);
}

/** A copy of `base` with each key of `top` laid over it. */
function overlayKeys(base: Tree, top: Tree, at: string[], paths: string[]): Tree {
  const out: Tree = {};
  for (const key of Object.keys(base)) put(out, key, base[key]);
  for (const key of Object.keys(top)) put(out, key, overlay(own(out, key), top[key], [...at, key], paths));
  return out;
}

export interface MergedConfig {
  /** The config to validate: the local file's JSON with the managed values laid over it. */
  input: unknown;
  /** Config paths whose value comes from managed preferences, e.g. "vm.slots", "runner.labels". */
  managedPaths: string[];
}

/**
 * Managed values win per leaf path; arrays replace whole; `local` is not modified. The result is
 * not validated yet (see parseEffectiveConfig), so a bad managed value is reported by field.
 */
export function mergeManaged(local: unknown, managed: ManagedValues | undefined): MergedConfig {
  if (!managed || !isTree(local)) return { input: local, managedPaths: [] };
  const managedPaths: string[] = [];
  const input = overlayKeys(local, managed, [], managedPaths);
  return { input, managedPaths: [...new Set(managedPaths)].sort() };
}

/** `a` is `b` or lies inside it (`github.scope.org` inside `github.scope`). */
export function isPathWithin(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
}

/** Whether the setting at `field` is managed (itself or a parent section), for the settings UI. */
export function isManagedPath(field: string, managedPaths: readonly string[]): boolean {
  return managedPaths.some((m) => isPathWithin(field, m));
}

async function plutilToJson(file: string): Promise<string> {
  const r = await execa('/usr/bin/plutil', ['-convert', 'json', '-o', '-', file], { reject: false, timeout: 10_000, stdin: 'ignore' });
  if (r.exitCode !== 0) {
    const why = `${r.stderr}\n${r.stdout}`.trim().split('\n')[0] || `plutil exited ${r.exitCode ?? r.signal}`;
    throw new Error(why);
  }
  return String(r.stdout);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw e;
  }
}

function managedFileError(file: string, domain: string, why: string): ConfigError {
  return new ConfigError(
    [{ path: '', message: `${why} — ask your Mac administrator to fix the configuration profile for ${domain}`, managed: true }],
    file,
    `Cannot read the settings managed by your organisation (${file}):`,
  );
}

async function readOne(file: string, domain: string, toJson: (file: string) => Promise<string>): Promise<Tree | undefined> {
  try {
    if (!(await exists(file))) return undefined;
  } catch (e) {
    throw managedFileError(file, domain, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(await toJson(file));
  } catch (e) {
    throw managedFileError(file, domain, `not a property list Ekiden can read (${(e as Error).message})`);
  }
  if (!isTree(value)) throw managedFileError(file, domain, `must be a dictionary, not ${jsonKind(value)}`);
  // Some MDMs copy payload metadata (PayloadUUID, …) into the domain; it is no setting.
  const out: Tree = {};
  for (const key of Object.keys(value)) if (!key.startsWith('Payload')) put(out, key, value[key]);
  return out;
}

/**
 * The app's managed preferences on macOS: the device-wide file, then the per-user file, which wins
 * where both set a value. None on other platforms or when no profile sets the domain. A file that
 * exists but cannot be read is an error: running without the organisation's policy would be wrong.
 */
export async function readManagedSettings(opts: ReadManagedOptions = {}): Promise<ManagedSettings | undefined> {
  if ((opts.platform ?? process.platform) !== 'darwin') return undefined;
  const dir = opts.dir ?? MANAGED_PREFERENCES_DIR;
  const domain = opts.domain ?? MANAGED_DOMAIN;
  const user = opts.user ?? os.userInfo().username;
  const toJson = opts.plistToJson ?? plutilToJson;
  const files = [path.join(dir, `${domain}.plist`), path.join(dir, user, `${domain}.plist`)];
  let values: Tree | undefined;
  const sources: string[] = [];
  for (const file of files) {
    const found = await readOne(file, domain, toJson);
    if (!found) continue;
    values = values ? overlayKeys(values, found, [], []) : found;
    sources.push(file);
  }
  return values ? { values, sources } : undefined;
}
