import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/core/config/config-error';
import { loadConfig } from '../../../src-main/core/config/load';

const assets = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../assets');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadError(text: string): Promise<ConfigError> {
  const file = path.join(dir, 'config.json');
  await writeFile(file, text);
  const error = await loadConfig(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const valid = `{
  "github": {
    "scope": { "kind": "org", "org": "acme" },
    "auth": { "kind": "pat", "token": { "env": "EKIDEN_GITHUB_TOKEN" } }
  },
  "image": { "ref": "ghcr.io/cirruslabs/macos-sequoia-xcode:latest" },
  "guest": { "password": { "env": "EKIDEN_GUEST_PASSWORD" } }
}
`;

describe('loadConfig', () => {
  it('loads a valid file with defaults filled in', async () => {
    const file = path.join(dir, 'config.json');
    await writeFile(file, `\uFEFF${valid}`);
    const config = await loadConfig(file);
    expect(config.github.scope).toEqual({ kind: 'org', org: 'acme' });
    expect(config.vm.slots).toBe(2);
  });

  it.each(['config.example.json', 'config.example.repo-pat.json'])('accepts the shipped %s', async (name) => {
    const config = await loadConfig(path.join(assets, name));
    expect(config.image.ref).toBe('ghcr.io/cirruslabs/macos-sequoia-xcode:latest');
  });

  it.each([
    ['a trailing comma', '{\n  "hostId": "a",\n}', 'JSON syntax error at line 2, column 16: a trailing comma is not allowed in JSON'],
    ['a missing comma', '{\n  "hostId": "a"\n  "vm": {}\n}', 'JSON syntax error at line 3, column 3: expected "," or "}" after the value of "hostId", found """'],
    ['a duplicate key', '{\n  "vm": {\n    "slots": 1,\n    "slots": 2\n  }\n}', 'JSON syntax error at line 4, column 5: duplicate key "slots": remove one of them'],
    ['a comment', '{\n  // slots\n}', 'JSON syntax error at line 2, column 3: comments are not allowed in JSON'],
    ['single quotes', "{\n  'vm': 1\n}", 'JSON syntax error at line 2, column 3: expected a property name in double quotes, found "\'"'],
    ['an unterminated string', '{\n  "hostId": "abc\n}', 'JSON syntax error at line 2, column 13: unterminated string (a line break inside quotes)'],
    ['an empty file', '  \n', 'JSON syntax error at line 2, column 1: the file is empty; expected a JSON object'],
    ['a truncated file', '{\n  "vm": {', 'JSON syntax error at line 2, column 10: expected a property name in double quotes, found the end of the file'],
  ])('names line and column for %s', async (_name, text, message) => {
    const error = await loadError(text);
    expect(error.issues).toEqual([{ path: '', message }]);
    expect(error.message).toContain(message);
    expect(error.message.split('\n')[0]).toContain(path.join(dir, 'config.json'));
  });

  it('reports an unknown key by name, also "__proto__"', async () => {
    const text = valid.replace('"image"', '"__proto__": {}, "imag": {}, "image"');
    const error = await loadError(text);
    expect(error.issues.map((i) => i.path)).toEqual(['__proto__', 'imag']);
    expect(error.issues[1].message).toContain('remove it or fix its spelling (known keys here: $schema, hostId, github');
    const single = await loadError(valid.replace('"image"', '"imag": {}, "image"'));
    expect(single.issues[0].message).toContain('did you mean "image"?');
  });

  it('explains a missing file', async () => {
    const file = path.join(dir, 'nope.json');
    const error = (await loadConfig(file).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `Cannot load the configuration ${file}:\n  - no configuration file here — create it from assets/config.example.json`,
    );
  });

  it('explains a directory given as the file', async () => {
    const sub = path.join(dir, 'config.json');
    await mkdir(sub);
    const error = (await loadConfig(sub).catch((e: unknown) => e)) as ConfigError;
    expect(error.issues[0].message).toContain('is a directory');
  });

  it('never echoes an inline secret in its message', async () => {
    const secret = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
    const error = await loadError(valid.replace('{ "env": "EKIDEN_GITHUB_TOKEN" }', JSON.stringify(secret)));
    expect(error.issues).toEqual([
      {
        path: 'github.auth.token',
        message:
          'secrets are never written inline in the config — reference it instead: {"env": "EKIDEN_GITHUB_TOKEN"}, ' +
          '{"file": "~/.config/ekiden/github-token"} (mode 0600) or {"keychain": "github-token"} (the Ekiden app\'s secret store)',
      },
    ]);
    expect(error.message).not.toContain(secret);
  });
});
