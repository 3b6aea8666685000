// Every message of tart.md §3, byte for byte, on its stream, with its exit code.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TartSim } from '../tart/index';
import { cleanupAndVerify, cloneVm, IMAGE, newSim, populateMinimal, startVm } from './tart-helpers';

let sim: TartSim;

beforeAll(async () => {
  sim = await newSim();
  await sim.publishImage(IMAGE, { populateHome: populateMinimal() });
  await cloneVm(sim, 'stopped-vm');
  await cloneVm(sim, 'running-vm');
  await startVm(sim, 'running-vm');
  fs.mkdirSync(sim.vmDir('broken-vm'), { recursive: true });
  fs.writeFileSync(`${sim.vmDir('broken-vm')}/config.json`, '{}');
});

afterAll(async () => {
  await cleanupAndVerify(sim);
});

interface Case {
  what: string;
  args: string[];
  stderr: string;
  stdout?: string;
  code: number;
}

const missing = (cmd: string[]): Case => ({
  what: `${cmd[0]} of a VM that does not exist`,
  args: cmd,
  stderr: 'the specified VM "ghost" does not exist\n',
  code: 2,
});

const runtimeCases: Case[] = [
  missing(['run', '--no-graphics', 'ghost']),
  missing(['ip', 'ghost']),
  missing(['stop', 'ghost']),
  missing(['delete', 'ghost']),
  missing(['get', 'ghost']),
  missing(['set', 'ghost', '--cpu', '4']),
  missing(['exec', 'ghost', 'true']),
  missing(['clone', 'ghost', 'copy']),
  missing(['suspend', 'ghost']),
  {
    what: 'a VM directory without its three files',
    args: ['get', 'broken-vm'],
    stderr: 'VM is missing some of its files (config.json, disk.img or nvram.bin)\n',
    code: 1,
  },
  { what: 'run of a running VM', args: ['run', '--no-graphics', 'running-vm'], stderr: 'VM "running-vm" is already running!\n', code: 2 },
  { what: 'stop of a stopped VM', args: ['stop', 'stopped-vm'], stderr: 'VM "stopped-vm" is not running\n', code: 2 },
  { what: 'exec in a stopped VM', args: ['exec', 'stopped-vm', 'true'], stderr: 'VM "stopped-vm" is not running\n', code: 2 },
  {
    what: 'suspend of a stopped VM (double-wrapped)',
    args: ['suspend', 'stopped-vm'],
    stderr: 'VM "VM "stopped-vm" is not running" is not running\n',
    code: 2,
  },
  { what: 'delete of a running VM', args: ['delete', 'running-vm'], stderr: 'VM "running-vm" is running\n', code: 1 },
  { what: 'ip of a stopped VM without a lease', args: ['ip', 'stopped-vm'], stderr: 'no IP address found, is your VM running?\n', code: 1 },
  {
    what: 'ip --resolver agent of a stopped VM',
    args: ['ip', 'stopped-vm', '--resolver', 'agent'],
    stderr: 'no IP address found, is your VM running? (also make sure that Guest agent for Tart is running inside of a VM)\n',
    code: 1,
  },
  {
    what: 'fqn of an uncached remote',
    args: ['fqn', 'ghcr.io/acme/unknown:latest'],
    stderr: "OCI storage error: ghcr.io/acme/unknown:latest is not a digest and doesn't point to a digest\n",
    code: 1,
  },
  {
    what: 'set below the CPU minimum',
    args: ['set', 'stopped-vm', '--cpu', '2'],
    stderr: 'Error: LessThanMinimalResourcesError: VM should have 4 CPU cores at minimum (requested 2)\n',
    code: 1,
  },
  {
    what: 'set below the memory minimum',
    args: ['set', 'stopped-vm', '--memory', '1024'],
    stderr: 'Error: LessThanMinimalResourcesError: VM should have 4294967296 bytes of memory at minimum (requested 1073741824)\n',
    code: 1,
  },
  {
    what: 'set shrinking the disk',
    args: ['set', 'stopped-vm', '--disk-size', '20'],
    stderr: 'new disk size of 20 GB should be larger than the current disk size of 50 GB\n',
    code: 1,
  },
  {
    what: 'pull of an unknown image (404)',
    args: ['pull', 'ghcr.io/acme/unknown:latest'],
    stdout: 'pulling ghcr.io/acme/unknown:latest...\npulling manifest...\n',
    stderr:
      'Error: UnexpectedHTTPStatusCode(when: "pulling manifest", code: 404, details: "{\\"errors\\":[{\\"code\\":\\"MANIFEST_UNKNOWN\\",\\"message\\":\\"manifest unknown\\"}]}")\n',
    code: 1,
  },
];

describe('RuntimeError and Error: messages (tart.md §3)', () => {
  it.each(runtimeCases)('$what', async (c) => {
    const r = await sim.runTart(c.args);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: c.code, stdout: c.stdout ?? '', stderr: c.stderr });
  });
});

const usageCases: { what: string; args: string[]; error: string; usage: string }[] = [
  { what: 'clone to a remote-looking name', args: ['clone', 'stopped-vm', 'a/b'], error: '<new-name> should be a local name', usage: 'tart clone' },
  {
    what: 'clone with --concurrency 0',
    args: ['clone', IMAGE, 'x', '--concurrency', '0'],
    error: 'network concurrency cannot be less than 1',
    usage: 'tart clone',
  },
  { what: 'list with a bad --source', args: ['list', '--source', 'cloud'], error: "'cloud' is not a valid <source>", usage: 'tart list' },
  { what: 'prune without criteria', args: ['prune'], error: 'at least one pruning criteria must be specified', usage: 'tart prune' },
  {
    what: 'prune with bad --entries',
    args: ['prune', '--entries', 'all', '--older-than', '1'],
    error: 'unsupported --entries value, please specify either "caches" or "vms"',
    usage: 'tart prune',
  },
  {
    what: 'login with a username but no --password-stdin',
    args: ['login', 'ghcr.io', '--username', 'bot'],
    error: 'both --username and --password-stdin are required',
    usage: 'tart login',
  },
  { what: 'an unknown flag', args: ['run', '--no-graphics', '--turbo', 'stopped-vm'], error: "Unknown option '--turbo'", usage: 'tart run' },
  { what: 'an unknown subcommand', args: ['frobnicate'], error: "Unexpected argument 'frobnicate'", usage: 'tart <subcommand>' },
];

describe('ValidationError, unknown flag or subcommand: usage and exit 64', () => {
  it.each(usageCases)('$what', async (c) => {
    const r = await sim.runTart(c.args);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(`Error: ${c.error}`);
    expect(lines[1].startsWith(`Usage: ${c.usage}`)).toBe(true);
  });
});

describe('other exact outputs', () => {
  it('--version prints the configured release', async () => {
    expect(await sim.runTart(['--version'])).toMatchObject({ code: 0, stdout: '2.32.1\n', stderr: '' });
    sim.setConfig({ version: '2.18.0' });
    expect((await sim.runTart(['--version'])).stdout).toBe('2.18.0\n');
    sim.setConfig({ version: '2.32.1' });
  });

  it('an uncreatable TART_HOME is reported and exits 1', async () => {
    const file = `${sim.root}/not-a-dir`;
    fs.writeFileSync(file, '');
    const r = await sim.runTart(['list'], { env: { TART_HOME: `${file}/home` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^TART_HOME is invalid: ${file}/home does not exist, yet we can't create it: .+\\n$`));
  });

  it('exec without a guest agent names the control socket', async () => {
    sim.setFault('agent.absent', {}, { times: 1 });
    await cloneVm(sim, 'no-agent');
    const h = await startVm(sim, 'no-agent');
    const r = await sim.runTart(['exec', 'no-agent', 'true']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Failed to connect to the VM using its control socket: .+, is the Tart Guest Agent running\?\n$/);
    const ip = await sim.runTart(['ip', 'no-agent', '--resolver', 'agent']);
    expect(ip).toMatchObject({ code: 1, stderr: 'no IP address found (also make sure that Guest agent for Tart is running inside of a VM)\n' });
    h.kill('SIGINT');
    expect((await h.exited).code).toBe(0);
  });

  it('exec on a host older than macOS 14 is refused', async () => {
    sim.setConfig({ hostMacos: 13 });
    const r = await sim.runTart(['exec', 'running-vm', 'true']);
    sim.setConfig({ hostMacos: 15 });
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: '"tart exec" is only available on macOS 14 (Sonoma) or newer\n' });
  });
});
