// TART_HOME layout, list/get/set/prune (tart.md §1, §4).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TartSim } from '../tart/index';
import { cleanupAndVerify, cloneVm, IMAGE, newSim, startVm } from './tart-helpers';

let sim: TartSim;
let digest: string;

beforeEach(async () => {
  sim = await newSim();
  digest = await sim.publishImage(IMAGE, { sizeGb: 60 });
});

afterEach(async () => {
  await cleanupAndVerify(sim);
});

interface ListRow {
  Source: string;
  Name: string;
  Disk: number;
  Size: number;
  Accessed: string;
  Running: boolean;
  State: string;
}

const listJson = async (...extra: string[]): Promise<ListRow[]> => JSON.parse((await sim.runTart(['list', '--format', 'json', ...extra])).stdout);

describe('TART_HOME layout', () => {
  it('a local VM is vms/<name>/{config.json,disk.img,nvram.bin} with the §1 config keys', async () => {
    await cloneVm(sim, 'vm');
    const dir = sim.vmDir('vm');
    for (const f of ['config.json', 'disk.img', 'nvram.bin']) expect(fs.existsSync(path.join(dir, f))).toBe(true);
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(Object.keys(cfg)).toEqual(
      expect.arrayContaining(['version', 'os', 'arch', 'cpuCountMin', 'cpuCount', 'memorySizeMin', 'memorySize', 'macAddress', 'display', 'diskFormat', 'ecid', 'hardwareModel']),
    );
    expect(cfg.macAddress).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it('list skips directories without the three files', async () => {
    await cloneVm(sim, 'vm');
    fs.mkdirSync(sim.vmDir('half'), { recursive: true });
    fs.writeFileSync(path.join(sim.vmDir('half'), 'config.json'), '{}');
    expect((await sim.runTart(['list', '-q', '--source', 'local'])).stdout).toBe('vm\n');
  });

  it('unlocked tmp/ entries are garbage-collected before commands other than pull and clone', async () => {
    const stale = path.join(sim.tartHome, 'tmp', 'STALE-UUID');
    fs.mkdirSync(stale, { recursive: true });
    await sim.runTart(['pull', IMAGE]);
    expect(fs.existsSync(stale)).toBe(true);
    await sim.runTart(['list']);
    expect(fs.existsSync(stale)).toBe(false);
  });
});

describe('tart list', () => {
  it('is empty as an empty line, and as an empty JSON array', async () => {
    expect(await sim.runTart(['list'])).toMatchObject({ code: 0, stdout: '\n' });
    expect(await sim.runTart(['list', '--format', 'json'])).toMatchObject({ code: 0, stdout: '[\n\n]\n' });
  });

  it('JSON: local VMs by name, then OCI entries by name (tag and digest); keys by name', async () => {
    await cloneVm(sim, 'zeta');
    await cloneVm(sim, 'alpha');
    const h = await startVm(sim, 'alpha');
    const rows = await listJson();
    expect(rows.map((r) => [r.Source, r.Name])).toEqual([
      ['local', 'alpha'],
      ['local', 'zeta'],
      ['OCI', IMAGE],
      ['OCI', `ghcr.io/acme/macos-sequoia@${digest}`],
    ]);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(['Accessed', 'Disk', 'Name', 'Running', 'Size', 'Source', 'State']);
      expect(r.Accessed).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(r.Disk).toBe(60);
      expect(Number.isInteger(r.Size)).toBe(true);
    }
    expect(rows[0]).toMatchObject({ Running: true, State: 'running' });
    expect(rows[1]).toMatchObject({ Running: false, State: 'stopped' });
    h.kill('SIGINT');
    await h.exited;
  });

  it('--source, -q and the text table', async () => {
    await cloneVm(sim, 'vm');
    expect((await listJson('--source', 'local')).map((r) => r.Name)).toEqual(['vm']);
    expect((await listJson('--source', 'oci')).every((r) => r.Source === 'OCI')).toBe(true);
    expect((await sim.runTart(['list', '-q'])).stdout).toBe(`vm\n${IMAGE}\nghcr.io/acme/macos-sequoia@${digest}\n`);
    const text = (await sim.runTart(['list'])).stdout.split('\n');
    expect(text[0].split(/\s+/)).toEqual(['Source', 'Name', 'Disk', 'Size', 'Accessed', 'State']);
    expect(text[1]).toMatch(/^local\s+vm\s+60\s+\d+\s+\d+ seconds? ago\s+stopped$/);
  });
});

describe('tart get and set', () => {
  it('get --format json has the §4 keys', async () => {
    await cloneVm(sim, 'vm');
    const info = JSON.parse((await sim.runTart(['get', 'vm', '--format', 'json'])).stdout);
    expect(info).toEqual({
      OS: 'darwin',
      CPU: 4,
      Memory: 8192,
      Disk: 60,
      DiskFormat: 'raw',
      Size: expect.stringMatching(/^\d+\.\d{3}$/),
      Display: '1024x768',
      Running: false,
      State: 'stopped',
    });
  });

  it('set persists cpu, memory, display, a new locally administered MAC, and grows the disk only', async () => {
    await cloneVm(sim, 'vm');
    const before = JSON.parse(fs.readFileSync(path.join(sim.vmDir('vm'), 'config.json'), 'utf8')).macAddress;
    expect(await sim.runTart(['set', 'vm', '--cpu', '6', '--memory', '12288', '--display', '1920x1080px', '--random-mac', '--disk-size', '80'])).toMatchObject({
      code: 0,
      stdout: '',
      stderr: '',
    });
    const info = JSON.parse((await sim.runTart(['get', 'vm', '--format', 'json'])).stdout);
    expect(info).toMatchObject({ CPU: 6, Memory: 12288, Disk: 80, Display: '1920x1080px' });
    const mac = JSON.parse(fs.readFileSync(path.join(sim.vmDir('vm'), 'config.json'), 'utf8')).macAddress as string;
    expect(mac).not.toBe(before);
    expect(parseInt(mac.slice(0, 2), 16) & 0x03).toBe(0x02);
    expect((await sim.runTart(['set', 'vm', '--disk-size', '80'])).code).toBe(0);
    expect(await sim.runTart(['set', 'vm', '--disk-size', '70'])).toMatchObject({
      code: 1,
      stderr: 'new disk size of 70 GB should be larger than the current disk size of 80 GB\n',
    });
  });
});

describe('tart prune', () => {
  it('--space-budget keeps the most recently accessed cache entries; --older-than drops old ones', async () => {
    const other = await sim.publishImage('ghcr.io/acme/other:latest', { sizeGb: 60 });
    await sim.runTart(['pull', 'ghcr.io/acme/other:latest']);
    await new Promise((r) => setTimeout(r, 20));
    await sim.runTart(['pull', IMAGE]);
    expect(await sim.runTart(['prune', '--space-budget', '30'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const left = (await sim.runTart(['list', '--source', 'oci', '-q'])).stdout;
    expect(left).toContain(digest);
    expect(left).not.toContain(other);
    expect((await sim.runTart(['prune', '--older-than', '0'])).code).toBe(0);
    expect((await sim.runTart(['list', '--source', 'oci', '-q'])).stdout).toBe('');
  });

  it('--entries vms never touches a running VM', async () => {
    await cloneVm(sim, 'idle');
    await cloneVm(sim, 'busy');
    const h = await startVm(sim, 'busy');
    expect((await sim.runTart(['prune', '--entries', 'vms', '--older-than', '0'])).code).toBe(0);
    expect((await sim.runTart(['list', '--source', 'local', '-q'])).stdout).toBe('busy\n');
    h.kill('SIGINT');
    await h.exited;
  });
});
