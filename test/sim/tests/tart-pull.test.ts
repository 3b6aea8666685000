// `tart pull` and `clone` against the simulated registry (tart.md §4, §10; field failures 42-48).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TartSim } from '../tart/index';
import { cleanupAndVerify, IMAGE, newSim, populateMinimal } from './tart-helpers';

let sim: TartSim;
const CI = { CI: '1' };
const REPO = 'ghcr.io/acme/macos-sequoia';

beforeEach(async () => {
  sim = await newSim();
});

afterEach(async () => {
  await cleanupAndVerify(sim);
});

const lines = (s: string): string[] => s.split('\n').slice(0, -1);

/** The transfer part of a pull: `pulling disk…`, progress lines, `pulling NVRAM...`. */
function expectTransfer(out: string[], gb = '11.0'): void {
  expect(out[0]).toBe(`pulling disk (${gb} GB compressed)...`);
  expect(out[out.length - 1]).toBe('pulling NVRAM...');
  const progress = out.slice(1, -1);
  expect(progress[0]).toBe('0%');
  expect(progress[progress.length - 1]).toBe('100%');
  for (const p of progress) expect(p).toMatch(/^\d{1,3}%$/);
  const values = progress.map((p) => parseInt(p, 10));
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
}

describe('tart pull', () => {
  it('prints the line sequence of a fresh pull, then "already cached and linked!" when unchanged', async () => {
    const digest = await sim.publishImage(IMAGE, { populateHome: populateMinimal() });
    const first = await sim.runTart(['pull', IMAGE], { env: CI });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const out = lines(first.stdout);
    expect(out.slice(0, 2)).toEqual([`pulling ${IMAGE}...`, 'pulling manifest...']);
    expectTransfer(out.slice(2));

    const again = await sim.runTart(['pull', IMAGE], { env: CI });
    expect(again).toMatchObject({
      code: 0,
      stderr: '',
      stdout: `pulling ${IMAGE}...\npulling manifest...\n${REPO}@${digest} image is already cached and linked!\n`,
    });
    expect((await sim.runTart(['fqn', IMAGE])).stdout).toBe(`${REPO}@${digest}\n`);
  });

  it('stores the tag as a symlink to the digest directory under a percent-encoded host', async () => {
    const ref = '127.0.0.1:5000/ns/img:v1';
    const digest = await sim.publishImage(ref);
    expect((await sim.runTart(['pull', ref])).code).toBe(0);
    const hostDir = path.join(sim.tartHome, 'cache', 'OCIs', '127.0.0.1%3A5000', 'ns', 'img');
    expect(fs.lstatSync(path.join(hostDir, 'v1')).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(path.join(hostDir, 'v1'))).toBe(fs.realpathSync(path.join(hostDir, digest)));
    for (const f of ['config.json', 'disk.img', 'nvram.bin', 'manifest.json']) expect(fs.existsSync(path.join(hostDir, digest, f))).toBe(true);
    expect((await sim.runTart(['list', '--source', 'oci', '-q'])).stdout).toBe(`127.0.0.1:5000/ns/img:v1\n127.0.0.1:5000/ns/img@${digest}\n`);
    expect((await sim.runTart(['clone', ref, 'vm'])).code).toBe(0);
    expect((await sim.runTart(['fqn', ref])).stdout).toBe(`127.0.0.1:5000/ns/img@${digest}\n`);
  });

  it('without CI the progress is redrawn with ANSI codes', async () => {
    await sim.publishImage(IMAGE);
    const r = await sim.runTart(['pull', IMAGE], { env: { CI: undefined } });
    expect(r.stdout).toContain('\x1b[1A\r\x1b[J100%\n');
  });

  it('with CI, progress lines come at most once a second', async () => {
    await sim.publishImage(IMAGE);
    sim.setFault('tart.pull_slow', { seconds: 2.4 }, { times: 1 });
    const r = await sim.runTart(['pull', IMAGE], { env: CI });
    const progress = lines(r.stdout).filter((l) => /^\d+%$/.test(l));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.length).toBeLessThanOrEqual(4);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('a digest published while the host runs is pulled; the old digest is collected', async () => {
    const d1 = await sim.publishImage(IMAGE);
    await sim.runTart(['pull', IMAGE]);
    const d2 = await sim.publishImage(IMAGE);
    expect(d2).not.toBe(d1);
    const r = await sim.runTart(['pull', IMAGE], { env: CI });
    expectTransfer(lines(r.stdout).slice(2));
    expect((await sim.runTart(['fqn', IMAGE])).stdout).toBe(`${REPO}@${d2}\n`);
    expect((await sim.runTart(['list', '--source', 'oci', '-q'])).stdout).toBe(`${IMAGE}\n${REPO}@${d2}\n`);
  });

  it('a digest already cached under another name is linked, not downloaded', async () => {
    const d = await sim.publishImage(IMAGE);
    await sim.runTart(['pull', `${REPO}@${d}`]);
    const r = await sim.runTart(['pull', IMAGE]);
    expect(r.stdout).toBe(`pulling ${IMAGE}...\npulling manifest...\n${REPO}@${d} image is already cached! creating a symlink...\n`);
  });

  it('a concurrent pull to the same host waits for the lock', async () => {
    const d = await sim.publishImage(IMAGE);
    sim.setFault('tart.pull_slow', { seconds: 1.2 }, { times: 1 });
    const first = sim.runTart(['pull', IMAGE], { env: CI });
    await new Promise((r) => setTimeout(r, 400));
    const second = await sim.runTart(['pull', IMAGE], { env: CI });
    expect((await first).code).toBe(0);
    expect(second).toMatchObject({
      code: 0,
      stdout: `pulling ${IMAGE}...\npulling manifest...\nwaiting for lock...\n${REPO}@${d} image is already cached! creating a symlink...\n`,
    });
  });

  it('pulling a local VM name is a no-op', async () => {
    await sim.publishImage(IMAGE);
    await sim.runTart(['clone', IMAGE, 'local-vm']);
    expect(await sim.runTart(['pull', 'local-vm'])).toMatchObject({ code: 0, stdout: '"local-vm" is a local image, nothing to pull here!\n' });
  });

  it('retries network errors with the re-try line (tart.pull_network_error)', async () => {
    await sim.publishImage(IMAGE);
    sim.setFault('tart.pull_network_error', { n: 2 }, { times: 1 });
    const r = await sim.runTart(['pull', IMAGE], { env: CI });
    expect(r.code).toBe(0);
    const retry = 'Error pulling image: "The network connection was lost.", attempting to re-try...';
    expect(lines(r.stdout).filter((l) => l === retry)).toHaveLength(2);
    expect(lines(r.stdout).filter((l) => l.startsWith('pulling disk'))).toHaveLength(3);

    sim.setFault('tart.pull_network_error', { n: 5 }, { times: 1 });
    await sim.publishImage(IMAGE);
    const failed = await sim.runTart(['pull', IMAGE], { env: CI });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe('Error: Error Domain=NSURLErrorDomain Code=-1005 "The network connection was lost."\n');
    expect(lines(failed.stdout).filter((l) => l === retry)).toHaveLength(4);
  });

  it('disk full: the raw error, temp files left for the next GC', async () => {
    await sim.publishImage(IMAGE);
    sim.setFault('tart.disk_full', {}, { times: 1 });
    const r = await sim.runTart(['pull', IMAGE], { env: CI });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error: Error Domain=NSPOSIXErrorDomain Code=28 "No space left on device"\n');
    const tmp = path.join(sim.tartHome, 'tmp');
    expect(fs.readdirSync(tmp).length).toBe(1);
    await sim.runTart(['list']);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});

describe('registry authentication', () => {
  const PASSWORD = 's3cr3t-registry-password';

  beforeEach(async () => {
    await sim.publishImage(IMAGE);
    sim.setRegistryCredentials('ghcr.io', 'bot', PASSWORD);
  });

  it('uses TART_REGISTRY_USERNAME/PASSWORD, honouring TART_REGISTRY_HOSTNAME; never records the password', async () => {
    const creds = { TART_REGISTRY_USERNAME: 'bot', TART_REGISTRY_PASSWORD: PASSWORD };
    const manifest401 =
      'Error: UnexpectedHTTPStatusCode(when: "pulling manifest", code: 401, details: "{\\"errors\\":[{\\"code\\":\\"UNAUTHORIZED\\",\\"message\\":\\"authentication required\\"}]}")\n';
    expect(await sim.runTart(['pull', IMAGE])).toMatchObject({ code: 1, stderr: manifest401 });
    expect(await sim.runTart(['pull', IMAGE], { env: { ...creds, TART_REGISTRY_HOSTNAME: 'registry.example.com' } })).toMatchObject({ code: 1, stderr: manifest401 });
    expect((await sim.runTart(['pull', IMAGE], { env: { ...creds, TART_REGISTRY_HOSTNAME: 'ghcr.io' } })).code).toBe(0);

    const log = JSON.stringify(sim.invocations());
    expect(log).not.toContain(PASSWORD);
    const last = sim.invocations().at(-1)!;
    expect(last.present.TART_REGISTRY_PASSWORD).toBe(true);
    expect(last.env.TART_REGISTRY_USERNAME).toBe('bot');
  });

  it('wrong credentials fail at the token endpoint (AuthFailed)', async () => {
    const r = await sim.runTart(['pull', IMAGE], { env: { TART_REGISTRY_USERNAME: 'bot', TART_REGISTRY_PASSWORD: 'nope' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: AuthFailed\(why: "received unexpected HTTP status code 401 while retrieving an authentication token", details: ".*"\)\n$/);
  });

  it.each([
    ['tart.registry_401', /^Error: AuthFailed\(why: "received unexpected HTTP status code 401 while retrieving an authentication token", details: ".*"\)\n$/],
    ['tart.registry_404', /^Error: UnexpectedHTTPStatusCode\(when: "pulling manifest", code: 404, details: ".*"\)\n$/],
  ])('%s gives its Swift-enum text via "Error: "', async (fault, re) => {
    sim.setFault(fault, {}, { times: 1 });
    const r = await sim.runTart(['pull', IMAGE], { env: { TART_REGISTRY_USERNAME: 'bot', TART_REGISTRY_PASSWORD: PASSWORD } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(re);
  });

  it('login checks the credentials; the "Keychain" is then used by pull', async () => {
    const bad = await sim.runTart(['login', 'ghcr.io', '--username', 'bot', '--password-stdin'], { input: 'wrong\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^invalid credentials: AuthFailed/);
    expect(await sim.runTart(['login', 'ghcr.io', '--username', 'bot', '--password-stdin'], { input: `${PASSWORD}\n` })).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await sim.runTart(['pull', IMAGE])).code).toBe(0);
    expect((await sim.runTart(['logout', 'ghcr.io'])).code).toBe(0);
  });
});

describe('tart clone', () => {
  it('pulls an uncached remote implicitly, without the "pulling <remote>..." line', async () => {
    await sim.publishImage(IMAGE);
    const r = await sim.runTart(['clone', IMAGE, 'vm'], { env: CI });
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe('pulling manifest...');
    expectTransfer(out.slice(1));
    for (const f of ['config.json', 'disk.img', 'nvram.bin']) expect(fs.existsSync(path.join(sim.vmDir('vm'), f))).toBe(true);
  });

  it('a cached source never contacts the registry, so a stale :latest is used', async () => {
    const d1 = await sim.publishImage(IMAGE);
    await sim.runTart(['pull', IMAGE]);
    await sim.publishImage(IMAGE);
    const before = sim.registryRequests().length;
    expect(await sim.runTart(['clone', IMAGE, 'vm'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(sim.registryRequests().length).toBe(before);
    expect((await sim.runTart(['fqn', IMAGE])).stdout).toBe(`${REPO}@${d1}\n`);
  });

  it('keeps the image MAC unless another local VM has it; a clone/delete cycle reuses it', async () => {
    await sim.publishImage(IMAGE);
    const mac = (vm: string): string => JSON.parse(fs.readFileSync(path.join(sim.vmDir(vm), 'config.json'), 'utf8')).macAddress;
    await sim.runTart(['clone', IMAGE, 'a']);
    await sim.runTart(['clone', IMAGE, 'b']);
    expect(mac('b')).not.toBe(mac('a'));
    const imageMac = mac('a');
    await sim.runTart(['delete', 'a', 'b']);
    await sim.runTart(['clone', IMAGE, 'c']);
    expect(mac('c')).toBe(imageMac);
    await sim.runTart(['clone', 'c', 'd']);
    expect(mac('d')).not.toBe(imageMac);
    expect(parseInt(mac('d').slice(0, 2), 16) & 0x03).toBe(0x02);
  });

  it('silently replaces an existing VM of the same name', async () => {
    await sim.publishImage(IMAGE);
    await sim.runTart(['clone', IMAGE, 'vm']);
    await sim.runTart(['set', 'vm', '--cpu', '8']);
    expect(await sim.runTart(['clone', IMAGE, 'vm'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse((await sim.runTart(['get', 'vm', '--format', 'json'])).stdout).CPU).toBe(4);
  });

  it('auto-prune evicts cached images unless TART_NO_AUTO_PRUNE is present, even empty', async () => {
    await sim.publishImage('ghcr.io/acme/old:latest');
    await sim.publishImage(IMAGE);
    await sim.runTart(['pull', 'ghcr.io/acme/old:latest']);
    await sim.runTart(['pull', IMAGE]);
    sim.setFault('tart.auto_prune_evicts');
    await sim.runTart(['clone', IMAGE, 'kept'], { env: { TART_NO_AUTO_PRUNE: '' } });
    expect((await sim.runTart(['list', '--source', 'oci', '-q'])).stdout).toContain('ghcr.io/acme/old:latest');
    await sim.runTart(['clone', IMAGE, 'evicting']);
    const oci = (await sim.runTart(['list', '--source', 'oci', '-q'])).stdout;
    expect(oci).not.toContain('ghcr.io/acme/old');
    expect(oci).toContain(IMAGE);
  });

  it('tart.clone_fail: exit 1, no VM', async () => {
    await sim.publishImage(IMAGE);
    await sim.runTart(['pull', IMAGE]);
    sim.setFault('tart.clone_fail', {}, { times: 1 });
    const r = await sim.runTart(['clone', IMAGE, 'vm']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .+\n$/);
    expect(fs.existsSync(sim.vmDir('vm'))).toBe(false);
    expect((await sim.runTart(['clone', IMAGE, 'vm'])).code).toBe(0);
  });
});
