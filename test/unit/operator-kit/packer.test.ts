import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocksOf, HclError, parseHcl, stringAttr, type HclBlock } from '../../support/hcl';

const packerDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../assets/packer');
const scriptsDir = path.join(packerDir, 'scripts');

let template: HclBlock;
let scripts: string[];
beforeAll(async () => {
  template = parseHcl(await readFile(path.join(packerDir, 'ekiden-runner.pkr.hcl'), 'utf8'));
  scripts = (await readdir(scriptsDir)).filter((f) => f.endsWith('.sh')).sort();
});

const variable = (name: string) => blocksOf(template, 'variable', name)[0];
const provisioners = () => blocksOf(blocksOf(template, 'build')[0], 'provisioner', 'shell');
/** `scripts/<name>.sh` of a provisioner's `script = "${path.root}/scripts/<name>.sh"`. */
const scriptOf = (p: HclBlock) => /^"\$\{path\.root\}\/scripts\/([^"/]+\.sh)"$/.exec(p.attributes.script ?? '')?.[1];

describe('the HCL reader used for the template check', () => {
  it.each([
    ['an unclosed block', 'build {\n  a = 1\n', 'line 3: block "build" opened on line 1 is never closed'],
    ['a stray closing brace', 'a = 1\n}\n', 'line 2: unbalanced "}"'],
    ['a mismatched bracket', 'a = [1, 2)\n', 'line 1: unbalanced ")" (expected "]")'],
    ['an unterminated string', 'a = "abc\n', 'line 1: unterminated string'],
    ['an attribute set twice', 'x {\n  a = 1\n  a = 2\n}\n', 'line 3: attribute "a" is set twice'],
  ])('rejects %s', (_what, src, message) => {
    expect(() => parseHcl(src)).toThrow(new HclError(message));
  });

  it('reads templates with nested quotes, heredocs and comments', () => {
    const hcl = parseHcl('# c\nx "a" "b" {\n  s = "${var.v == "}" ? 1 : 2}" // c\n  h = <<-EOT\n  { not a brace\n  EOT\n  /* { */ o = { k = "v" }\n}\n');
    const x = blocksOf(hcl, 'x', 'a')[0];
    expect(x.labels).toEqual(['a', 'b']);
    expect(Object.keys(x.attributes)).toEqual(['s', 'h', 'o']);
    expect(x.attributes.o).toBe('{ k = "v" }');
  });
});

describe('the Packer template', () => {
  it('requires the Tart plugin from cirruslabs at >= 1.12.0', () => {
    const required = blocksOf(blocksOf(template, 'packer')[0], 'required_plugins')[0];
    const tart = required.attributes.tart.replace(/\s+/g, ' ');
    expect(tart).toMatch(/source = "github\.com\/cirruslabs\/tart"/);
    expect(tart).toMatch(/version = ">= 1\.12\.0"/);
  });

  it('derives from a public Cirrus Labs macOS image with the admin user over SSH', () => {
    const source = blocksOf(template, 'source', 'tart-cli');
    expect(source).toHaveLength(1);
    expect(source[0].attributes.vm_base_name).toBe('var.base_image');
    expect(stringAttr(variable('base_image'), 'default')).toBe('ghcr.io/cirruslabs/macos-sequoia-base:latest');
    expect(source[0].attributes.ssh_username).toBe('var.guest_user');
    expect(stringAttr(variable('guest_user'), 'default')).toBe('admin');
    expect(variable('guest_password').attributes.sensitive).toBe('true');
    expect(source[0].attributes.headless).toBe('true');
    const build = blocksOf(template, 'build')[0];
    expect(build.attributes.sources).toBe(`["source.tart-cli.${source[0].labels[1]}"]`);
  });

  it('pins the runner: runner_version and runner_sha256 have no default and are validated', () => {
    for (const name of ['runner_version', 'runner_sha256']) {
      const v = variable(name);
      expect(v, name).toBeDefined();
      expect(v.attributes.default, `${name} must be given explicitly`).toBeUndefined();
      expect(blocksOf(v, 'validation')[0].attributes.condition).toContain(`var.${name}`);
    }
    expect(blocksOf(variable('runner_sha256'), 'validation')[0].attributes.condition).toContain('^[0-9a-f]{64}$');
  });

  it('declares every variable it uses', async () => {
    const text = await readFile(path.join(packerDir, 'ekiden-runner.pkr.hcl'), 'utf8');
    const used = new Set([...text.matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
    const declared = new Set(blocksOf(template, 'variable').map((v) => v.labels[0]));
    expect([...used].filter((u) => !declared.has(u))).toEqual([]);
  });

  it('runs every script in scripts/ (and only existing ones), the checks before the cleanup', () => {
    const run = provisioners().map(scriptOf);
    expect(run.every((s) => s !== undefined)).toBe(true);
    expect([...run].sort()).toEqual(scripts);
    expect(run.indexOf('verify-guest.sh')).toBeGreaterThan(run.indexOf('install-runner.sh'));
    expect(run.at(-1)).toBe('cleanup.sh');
  });

  it('passes each script the environment variables it requires', async () => {
    for (const p of provisioners()) {
      const script = scriptOf(p)!;
      const text = await readFile(path.join(scriptsDir, script), 'utf8');
      const required = [...text.matchAll(/: "\$\{([A-Z_]+):\?/g)].map((m) => m[1]);
      const given = [...(p.attributes.environment_vars ?? '').matchAll(/"([A-Z_]+)=/g)].map((m) => m[1]);
      expect(given, script).toEqual(expect.arrayContaining(required));
    }
  });

  it('keeps the guest password out of command lines (env file)', () => {
    const autologin = provisioners().find((p) => scriptOf(p) === 'enable-autologin.sh')!;
    expect(autologin.attributes.environment_vars).toContain('GUEST_PASSWORD=${var.guest_password}');
    expect(autologin.attributes.use_env_var_file).toBe('true');
  });
});

describe('the provisioning scripts', () => {
  it('are POSIX sh scripts with strict mode, valid for bash and for dash', async () => {
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of [...scripts.map((s) => path.join(scriptsDir, s)), path.join(packerDir, 'latest-runner.sh')]) {
      const text = await readFile(script, 'utf8');
      expect(text.split('\n')[0], script).toBe('#!/bin/sh');
      expect(text, script).toMatch(/^set -eu$/m);
      for (const shell of ['bash', 'sh']) {
        const r = await execa(shell, ['-n', script], { reject: false });
        expect(r.stderr, `${shell} -n ${script}`).toBe('');
        expect(r.exitCode, `${shell} -n ${script}`).toBe(0);
      }
    }
  });

  it('install the runner unconfigured and never run config.sh', async () => {
    const text = await readFile(path.join(scriptsDir, 'install-runner.sh'), 'utf8');
    expect(text).toContain('https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/${asset}');
    expect(text).toContain('actions-runner-osx-arm64-${RUNNER_VERSION}.tar.gz');
    expect(text).toMatch(/shasum -a 256/);
    for (const s of scripts) expect(await readFile(path.join(scriptsDir, s), 'utf8'), s).not.toMatch(/config\.sh/);
  });

  it('verify the guest MAC exactly the way Ekiden reads it', async () => {
    const text = await readFile(path.join(scriptsDir, 'verify-guest.sh'), 'utf8');
    expect(text).toContain(`ifconfig en0 | awk '/ether/{print $2}'`);
  });

  it.each(['', 'a', 'admin', 'abcdefghijk', 'abcdefghijkl', 'x'.repeat(23), 'päss wörd\'"$x'])(
    'encode /etc/kcpassword for %j as Apple does (NUL-padded to 12-byte blocks, XOR key)',
    async (password) => {
      const key = [0x7d, 0x89, 0x52, 0x23, 0xd2, 0xbc, 0xdd, 0xea, 0xa3, 0xb9, 0x1f];
      const plain = Buffer.from(password, 'utf8');
      const padded = Buffer.concat([plain, Buffer.alloc(12 - (plain.length % 12))]);
      const expected = Buffer.from(padded.map((b, i) => b ^ key[i % key.length]));
      const r = await execa('sh', [path.join(scriptsDir, 'enable-autologin.sh'), '--print-kcpassword'], {
        input: password,
        encoding: 'buffer',
      });
      expect(Buffer.from(r.stdout).toString('hex')).toBe(expected.toString('hex'));
    },
  );
});

describe('latest-runner.sh', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-runner-release-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const sha = 'a'.repeat(16) + '0123456789abcdef'.repeat(3);
  const release = (tag: string, withSha = true) =>
    JSON.stringify({
      tag_name: tag,
      body:
        '## SHA-256 Checksums\r\n\r\n' +
        `- actions-runner-osx-x64-2.336.0.tar.gz <!-- BEGIN SHA osx-x64 -->${'b'.repeat(64)}<!-- END SHA osx-x64 -->\r\n` +
        (withSha ? `- actions-runner-osx-arm64-2.336.0.tar.gz <!-- BEGIN SHA osx-arm64 -->${sha}<!-- END SHA osx-arm64 -->\r\n` : ''),
    });
  const run = async (json: string, ...args: string[]) => {
    const file = path.join(dir, 'release.json');
    await writeFile(file, json);
    return execa('sh', [path.join(packerDir, 'latest-runner.sh'), ...args], {
      reject: false,
      env: { EKIDEN_RUNNER_RELEASE_JSON: file },
    });
  };

  it('prints Packer variables that satisfy the template validations', async () => {
    const r = await run(release('v2.336.0'));
    expect(r.exitCode).toBe(0);
    const vars = parseHcl(r.stdout);
    expect(stringAttr(vars, 'runner_version')).toBe('2.336.0');
    expect(stringAttr(vars, 'runner_sha256')).toBe(sha);
    expect(stringAttr(vars, 'runner_sha256')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('checks the release is the one asked for', async () => {
    const r = await run(release('v2.337.0'), '2.336.0');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('latest-runner.sh: asked for 2.336.0, the release is 2.337.0');
  });

  it('refuses a release without the osx-arm64 checksum', async () => {
    const r = await run(release('v2.336.0', false));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('carry no osx-arm64 SHA-256');
    expect(r.stdout).toBe('');
  });
});
