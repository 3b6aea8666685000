// The runner's hidden config files (.runner, .credentials, .credentials_rsaparams): writing them
// from a JIT config with .NET's decode errors, reading them, and removing them.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { CredentialsFile, RunnerSettingsFile } from '../../github/wire';
import { file } from './paths';
import type { Term } from './term';

export const BASE64_ERROR =
  'The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.';
const BASE64_LENGTH_ERROR = 'Invalid length for a Base-64 char array or string.';

/** Convert.FromBase64String: whitespace ignored, strict alphabet and padding. */
export function decodeBase64Strict(input: string): Buffer {
  const s = input.replace(/[ \t\r\n]/g, '');
  if (/[^A-Za-z0-9+/=]/.test(s)) throw new Error(BASE64_ERROR);
  const pad = /=*$/.exec(s)![0].length;
  if (pad > 2 || s.slice(0, s.length - pad).includes('=')) throw new Error(BASE64_ERROR);
  if (s.length % 4 !== 0) throw new Error(BASE64_LENGTH_ERROR);
  return Buffer.from(s, 'base64');
}

/** Json.NET-style message for text that is not JSON. */
function jsonError(text: string): Error {
  const trimmed = text.trimStart();
  if (trimmed === '') return new Error("Unexpected end when reading JSON. Path '', line 0, position 0.");
  const ch = trimmed[0];
  return new Error(`Unexpected character encountered while parsing value: ${ch}. Path '', line 1, position 1.`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw jsonError(text);
  }
}

/** Decodes `--jitconfig` / ACTIONS_RUNNER_INPUT_JITCONFIG and writes each entry as a file in the root. */
export function writeJitConfig(encoded: string): void {
  const outer = parseJson(decodeBase64Strict(encoded).toString('utf8'));
  if (!outer || typeof outer !== 'object' || Array.isArray(outer)) {
    throw new Error("Cannot deserialize the current JSON array into type 'System.Collections.Generic.Dictionary`2[System.String,System.String]'.");
  }
  const entries = Object.entries(outer as Record<string, unknown>);
  const decoded = entries.map(([name, value]) => {
    if (typeof value !== 'string') throw new Error(`Error converting value to type 'System.String'. Path '${name}'.`);
    if (!/^\.[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`Invalid configuration file name '${name}'.`);
    return [name, decodeBase64Strict(value)] as const;
  });
  for (const [name, content] of decoded) writeFileSync(file(name), content, { mode: 0o600 });
}

export const isConfigured = () => existsSync(file('.runner'));

export function readSettings(): RunnerSettingsFile {
  return JSON.parse(readFileSync(file('.runner'), 'utf8').replace(/^\uFEFF/, '')) as RunnerSettingsFile;
}

export function readCredentials(): CredentialsFile {
  return JSON.parse(readFileSync(file('.credentials'), 'utf8').replace(/^\uFEFF/, '')) as CredentialsFile;
}

export function writeConfigFiles(settings: RunnerSettingsFile, credentials: CredentialsFile, rsaParams: Record<string, string>): void {
  writeFileSync(file('.runner'), JSON.stringify(settings, null, 2), { mode: 0o600 });
  writeFileSync(file('.credentials'), JSON.stringify(credentials, null, 2), { mode: 0o600 });
  writeFileSync(file('.credentials_rsaparams'), JSON.stringify(rsaParams), { mode: 0o600 });
}

/** Deletes the local configuration, printing the runner's two `√ Removed` lines. */
export function removeConfigFiles(term: Term): void {
  rmSync(file('.credentials'), { force: true });
  rmSync(file('.credentials_rsaparams'), { force: true });
  term.success('Removed .credentials');
  rmSync(file('.runner'), { force: true });
  term.success('Removed .runner');
}
