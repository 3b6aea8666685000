import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/core/config/config-error';
import { loadConfig } from '../../../src-main/core/config/load';
import { saveConfig, writeFileAtomic } from '../../../src-main/core/config/save';
import type { EkidenConfigInput } from '../../../src-main/core/config/schema';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-save-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const input: EkidenConfigInput = {
  github: { scope: { kind: 'repo', owner: 'acme', repo: 'widgets' }, auth: { kind: 'pat', token: { env: 'T' } } },
  image: { ref: 'ghcr.io/cirruslabs/macos-sequoia-base:latest' },
  guest: { password: { env: 'P' } },
  vm: { slots: 1 },
};

describe('saveConfig', () => {
  it('writes the operator input with mode 0600, leaving no temp file', async () => {
    const file = path.join(dir, 'nested', 'Ekiden', 'config.json');
    const saved = await saveConfig(file, input);
    expect(saved.vm.slots).toBe(1);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(await readdir(path.dirname(file))).toEqual(['config.json']);
    // Defaults stay implicit: a copied file still derives the host id on each machine.
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written).toEqual(input);
    expect(written.hostId).toBeUndefined();
    expect((await loadConfig(file)).github.scope).toEqual(input.github.scope);
  });

  it('replaces an existing file whole and tightens its mode', async () => {
    const file = path.join(dir, 'config.json');
    await writeFile(file, 'x'.repeat(10_000), { mode: 0o644 });
    await saveConfig(file, input);
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(input);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('refuses an invalid configuration and leaves the old file untouched', async () => {
    const file = path.join(dir, 'config.json');
    await saveConfig(file, input);
    const before = await readFile(file, 'utf8');
    const bad = { ...input, vm: { slots: 3 } } as unknown as EkidenConfigInput;
    await expect(saveConfig(file, bad)).rejects.toBeInstanceOf(ConfigError);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('removes its temp file when the rename fails', async () => {
    // Renaming a file over a non-empty directory fails: the target stays, the temp file goes.
    const target = path.join(dir, 'taken');
    await writeFile(path.join(dir, 'keep'), '');
    await import('node:fs/promises').then((fs) => fs.mkdir(target)).then(() => writeFile(path.join(target, 'x'), ''));
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['keep', 'taken']);
  });

  it('survives concurrent saves: the file is always one whole version', async () => {
    const file = path.join(dir, 'config.json');
    const versions = [1, 2].map((slots) => ({ ...input, vm: { slots } }) as EkidenConfigInput);
    await Promise.all([...versions, ...versions].map((v) => saveConfig(file, v)));
    const parsed = JSON.parse(await readFile(file, 'utf8'));
    expect(versions).toContainEqual(parsed);
    expect(await readdir(dir)).toEqual(['config.json']);
  });
});
