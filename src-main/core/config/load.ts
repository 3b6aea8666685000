import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError, formatPath, type ConfigIssue } from './config-error';
import { JsonTextError, parseJsonText } from './json-text';
import { configSchema, type EkidenConfig } from './schema';

/** Zod issues as config issues: one per field, one per unknown key. */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath([...issue.path, key]), message: issue.message });
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out;
}

export type ConfigCheck = { ok: true; config: EkidenConfig } | { ok: false; issues: ConfigIssue[] };

/** Validates a parsed configuration (e.g. from the settings UI) without throwing. */
export function checkConfig(input: unknown): ConfigCheck {
  const result = configSchema.safeParse(input);
  return result.success ? { ok: true, config: result.data } : { ok: false, issues: toConfigIssues(result.error.issues) };
}

/** Validates a parsed configuration; throws ConfigError naming every bad field. */
export function parseConfig(input: unknown, source?: string): EkidenConfig {
  const checked = checkConfig(input);
  if (!checked.ok) throw new ConfigError(checked.issues, source);
  return checked.config;
}

/** The JSON value of a config file's text: syntax errors carry line and column. Not yet validated. */
export function parseConfigInput(text: string, source?: string): unknown {
  try {
    return parseJsonText(text);
  } catch (e) {
    if (!(e instanceof JsonTextError)) throw e;
    throw new ConfigError([{ path: '', message: `JSON syntax error at ${e.message}` }], source);
  }
}

/** Parses the text of a config file: JSON syntax errors carry line and column. */
export function parseConfigText(text: string, source?: string): EkidenConfig {
  return parseConfig(parseConfigInput(text, source), source);
}

/** Reads a config file into its JSON value (not yet validated); errors say what to do. */
export async function readConfigInput(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'no configuration file here — create it from assets/config.example.json'
        : code === 'EACCES'
          ? 'cannot read the file (permission denied) — make it readable by the user running Ekiden'
          : code === 'EISDIR'
            ? 'is a directory — point Ekiden at the config.json file'
            : `cannot read the file (${code ?? String(e)})`;
    throw new ConfigError([{ path: '', message }], path, `Cannot load the configuration ${path}:`);
  }
  return parseConfigInput(text, path);
}

export async function loadConfig(path: string): Promise<EkidenConfig> {
  return parseConfig(await readConfigInput(path), path);
}
