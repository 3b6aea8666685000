import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/core/config/config-error';
import { parseConfig } from '../../../src-main/core/config/load';
import type { SecretRef } from '../../../src-main/core/config/secret-ref';
import { readSecret, resolveSecrets, secretValues, type SecretStore } from '../../../src-main/core/config/secrets';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function secretFile(name: string, content: string, mode: number): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  await chmod(file, mode);
  return file;
}

const mapStore = (entries: Record<string, string>): SecretStore => ({ get: async (name) => entries[name] });

async function issuesOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).issues;
}

describe('secret references', () => {
  it('reads env, 0600 file and keychain references', async () => {
    const file = await secretFile('key.pem', '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n', 0o600);
    const config = parseConfig({
      github: {
        scope: { kind: 'org', org: 'acme' },
        auth: { kind: 'app', appId: 1, privateKey: { file } },
      },
      image: {
        ref: 'registry.example.com:5000/ci/macos:15',
        registry: { username: 'bot', password: { keychain: 'registry-password' } },
      },
      guest: { password: { env: 'GUEST_PW' } },
      telemetry: { endpoint: 'https://otlp.example.com/otlp', authorization: { env: 'OTLP_AUTH' } },
    });
    const secrets = await resolveSecrets(config, {
      env: { GUEST_PW: 'hunter22', OTLP_AUTH: 'Basic MTIzOnRvaw==' },
      store: mapStore({ 'registry-password': 'reg-pass-1' }),
    });
    expect(secrets).toEqual({
      githubPrivateKey: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----',
      registryPassword: 'reg-pass-1',
      guestPassword: 'hunter22',
      otlpAuthorization: 'Basic MTIzOnRvaw==',
    });
    expect(secretValues(secrets)).toHaveLength(4);
  });

  it.each([0o400, 0o600])('accepts a file with mode %o', async (mode) => {
    const file = await secretFile('t', 'tok\n', mode);
    await expect(readSecret({ file }, 'github.auth.token')).resolves.toBe('tok');
  });

  it.each([0o640, 0o604, 0o644, 0o666])('refuses a file with mode %o, naming the field and the chmod', async (mode) => {
    const file = await secretFile('token', 'ghp_x', mode);
    const issues = await issuesOf(readSecret({ file }, 'github.auth.token'));
    expect(issues).toEqual([
      {
        path: 'github.auth.token',
        message: `${file} is readable by others (mode 0${mode.toString(8)}) — run: chmod 600 ${file}`,
      },
    ]);
  });

  it.each<[string, SecretRef, { env?: NodeJS.ProcessEnv; store?: SecretStore }, string]>([
    ['an unset env variable', { env: 'NOPE' }, { env: {} },
      'environment variable NOPE is not set — export it in the environment that starts Ekiden'],
    ['an empty env variable', { env: 'E' }, { env: { E: ' ' } }, 'environment variable E is empty — set it to the secret'],
    ['a keychain ref without a store (the CLI)', { keychain: 'github-token' }, {},
      '{"keychain": "github-token"} needs the Ekiden app\'s secret store, which the command line does not have — use {"env": "…"} or {"file": "…"} for headless runs'],
    ['a keychain item that is missing', { keychain: 'github-token' }, { store: mapStore({}) },
      'secret "github-token" is not in Ekiden\'s secret store — add it in Settings'],
  ])('names the field for %s', async (_name, ref, ctx, message) => {
    expect(await issuesOf(readSecret(ref, 'guest.password', ctx))).toEqual([{ path: 'guest.password', message }]);
  });

  it('names a missing file and an empty one', async () => {
    const missing = path.join(dir, 'missing');
    expect((await issuesOf(readSecret({ file: missing }, 'f')))[0].message).toBe(
      `file ${missing} does not exist — write the secret into it, then run: chmod 600 ${missing}`,
    );
    const empty = await secretFile('empty', '\n', 0o600);
    expect((await issuesOf(readSecret({ file: empty }, 'f')))[0].message).toBe(`${empty} is empty — write the secret into it`);
    expect((await issuesOf(readSecret({ file: dir }, 'f')))[0].message).toContain('is not a regular file');
  });

  it('lists every unreadable secret in one error', async () => {
    const file = await secretFile('loose', 'pw', 0o644);
    const config = parseConfig({
      github: { scope: { kind: 'org', org: 'acme' }, auth: { kind: 'pat', token: { env: 'GH' } } },
      image: { ref: 'ghcr.io/a/b:1' },
      guest: { password: { file }, privateKey: { keychain: 'guest-key' } },
    });
    const error = (await resolveSecrets(config, { env: {} }).catch((e: unknown) => e)) as ConfigError;
    expect(error.issues.map((i) => i.path)).toEqual(['github.auth.token', 'guest.password', 'guest.privateKey']);
    expect(error.message.split('\n')[0]).toBe('Ekiden cannot read its secrets (3 problems):');
  });

  it('refuses a fine-grained PAT for enterprise scope', async () => {
    const config = parseConfig({
      github: { scope: { kind: 'enterprise', enterprise: 'acme' }, auth: { kind: 'pat', token: { env: 'GH' } } },
      image: { ref: 'ghcr.io/a/b:1' },
      guest: { password: { env: 'PW' } },
    });
    const issues = await issuesOf(resolveSecrets(config, { env: { GH: 'github_pat_abc', PW: 'pw' } }));
    expect(issues).toEqual([
      {
        path: 'github.auth.token',
        message: 'a fine-grained PAT cannot manage enterprise runners — use a classic PAT with manage_runners:enterprise',
      },
    ]);
    const classic = await resolveSecrets(config, { env: { GH: 'ghp_abc', PW: 'pw' } });
    expect(classic.githubToken).toBe('ghp_abc');
  });
});

describe('secret reference shapes in the config', () => {
  const base = () => ({
    github: { scope: { kind: 'org', org: 'acme' }, auth: { kind: 'pat', token: { env: 'GH' } as unknown } },
    image: { ref: 'ghcr.io/a/b:1' },
    guest: { password: { env: 'PW' } },
  });
  it.each<[string, unknown, string, string]>([
    ['an inline string', 'ghp_secret', 'github.auth.token', 'secrets are never written inline in the config'],
    ['two keys', { env: 'A', file: '/b' }, 'github.auth.token', 'exactly one of the keys "env", "file" or "keychain"'],
    ['an unknown key', { vault: 'x' }, 'github.auth.token', 'exactly one of the keys'],
    ['a bad env name', { env: 'MY-TOKEN' }, 'github.auth.token.env', 'must be an environment variable name — e.g. "EKIDEN_GITHUB_TOKEN"'],
    ['a relative file', { file: 'token.txt' }, 'github.auth.token.file', 'must be an absolute path (or start with ~/)'],
    ['an empty keychain name', { keychain: '' }, 'github.auth.token.keychain', 'must be a non-empty string'],
    ['a number', 42, 'github.auth.token', 'must be a secret reference, not a number'],
  ])('rejects %s', (_name, token, pathName, words) => {
    const input = base();
    input.github.auth.token = token;
    let error: unknown;
    try {
      parseConfig(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues.find((i) => i.path === pathName);
    expect(issue?.message).toContain(words);
    if (typeof token === 'string') expect((error as Error).message).not.toContain(token);
  });
});
