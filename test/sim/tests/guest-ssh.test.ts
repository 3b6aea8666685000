// The simulated guest over SSH: a real OpenSSH client, ssh2 for the details, host keys per image,
// the ssh.* and net.* faults, and guest processes that outlive their connection but not their VM.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TartSim } from '../tart/index';
import { cleanupAndVerify, cloneVm, guestIp, IMAGE, newSim, populateMinimal, startVm, waitFor } from './tart-helpers';

const { Client } = ssh2;

let sim: TartSim;
let keyDir: string;
let pubKey: string;

beforeEach(async () => {
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guest-ssh-key-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test', '-f', path.join(keyDir, 'id')]);
  pubKey = fs.readFileSync(path.join(keyDir, 'id.pub'), 'utf8');
  sim = await newSim();
  await sim.publishImage(IMAGE, {
    populateHome: populateMinimal((home) => {
      fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
      fs.writeFileSync(path.join(home, '.ssh', 'authorized_keys'), pubKey, { mode: 0o600 });
    }),
  });
});

afterEach(async () => {
  await cleanupAndVerify(sim);
  fs.rmSync(keyDir, { recursive: true, force: true });
});

interface Exec {
  code: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
}

interface Conn {
  client: InstanceType<typeof Client>;
  hostKey: string;
}

function connect(host: string, opts: { password?: string; privateKey?: string; readyTimeout?: number } = { password: 'admin' }): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKey = '';
    client.on('ready', () => resolve({ client, hostKey }));
    client.on('error', reject);
    client.connect({
      host,
      port: sim.guestPort,
      username: 'admin',
      ...opts,
      readyTimeout: opts.readyTimeout ?? 5000,
      hostVerifier: (key: Buffer) => {
        hostKey = createHash('sha256').update(key).digest('base64');
        return true;
      },
    });
  });
}

function run(c: Conn, command: string, o: { env?: Record<string, string>; stdin?: string } = {}): Promise<Exec> {
  return new Promise((resolve, reject) => {
    c.client.exec(command, { env: o.env }, (err, stream) => {
      if (err) return reject(err);
      const r: Exec = { code: undefined, signal: undefined, stdout: '', stderr: '' };
      stream.on('data', (d: Buffer) => (r.stdout += d.toString()));
      stream.stderr.on('data', (d: Buffer) => (r.stderr += d.toString()));
      stream.on('exit', (code: number | null, signal?: string) => {
        if (code !== null) r.code = code;
        if (signal) r.signal = signal;
      });
      stream.on('close', () => resolve(r));
      if (o.stdin !== undefined) stream.end(o.stdin);
    });
  });
}

async function bootedVm(name: string, extra: string[] = []): Promise<{ ip: string; stop: () => Promise<void> }> {
  const h = await startVm(sim, name, extra);
  const ip = await guestIp(sim, name);
  await sshUp(ip);
  return {
    ip,
    stop: async () => {
      h.kill('SIGINT');
      await h.exited;
    },
  };
}

/** SSH is up once a TCP connect succeeds (cheap to poll, unlike a handshake). */
async function sshUp(ip: string): Promise<void> {
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(sim.guestPort, ip);
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      }),
    30_000,
    `ssh on ${ip}`,
  );
}

const vmMac = (name: string): string => JSON.parse(fs.readFileSync(path.join(sim.vmDir(name), 'config.json'), 'utf8')).macAddress;
const alive = (pid: number): boolean => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
};

describe('OpenSSH client', () => {
  it('logs in with a key and runs a login-shell command that sees the image profile and the VM identity', async () => {
    await cloneVm(sim, 'vm');
    const { ip } = await bootedVm('vm');
    const knownHosts = path.join(keyDir, 'known_hosts');
    const args = [
      '-i', path.join(keyDir, 'id'), '-p', String(sim.guestPort),
      '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR',
      `admin@${ip}`,
      `echo "$USER|$HOME|$IMAGE_PROFILE|$SHELL"; ifconfig en0 | awk '/ether/{print $2}'; hostname; ls -d ~/actions-runner`,
    ];
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d));
      p.stderr.on('data', (d: Buffer) => (stderr += d));
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')).toEqual([
      `admin|${sim.guestHome('vm')}|loaded|/bin/bash`,
      vmMac('vm'),
      'admins-Virtual-Machine.local',
      `${sim.guestHome('vm')}/actions-runner`,
      '',
    ]);
    expect(fs.readFileSync(knownHosts, 'utf8')).toContain('ssh-ed25519');
  });
});

describe('ssh2 client', () => {
  it('password auth; env requests, stdin with EOF, exit codes and signals pass through', async () => {
    await cloneVm(sim, 'vm');
    const { ip } = await bootedVm('vm');
    const c = await connect(ip, { password: 'admin' });
    expect(await run(c, 'echo "$GREETING"', { env: { GREETING: 'hello' } })).toMatchObject({ code: 0, stdout: 'hello\n' });
    expect(await run(c, 'wc -c', { stdin: 'twelve bytes' })).toMatchObject({ code: 0, stdout: '12\n' });
    expect(await run(c, 'echo oops >&2; exit 42')).toMatchObject({ code: 42, stderr: 'oops\n' });
    expect(await run(c, 'kill -TERM $$')).toMatchObject({ code: undefined, signal: 'SIGTERM' });
    c.client.end();
    await expect(connect(ip, { password: 'wrong' })).rejects.toThrow(/authentication methods failed/);
  });

  it('host keys belong to the image digest; ssh.host_key_change gives a fresh one', async () => {
    await cloneVm(sim, 'a');
    await cloneVm(sim, 'b');
    const a = await bootedVm('a');
    const b = await bootedVm('b');
    const keyA = (await connect(a.ip)).hostKey;
    const keyB = (await connect(b.ip)).hostKey;
    expect(keyB).toBe(keyA);
    await b.stop();

    await sim.publishImage(IMAGE);
    await sim.runTart(['pull', IMAGE]);
    await cloneVm(sim, 'c');
    const c = await bootedVm('c');
    expect((await connect(c.ip)).hostKey).not.toBe(keyA);
    await c.stop();

    sim.setFault('ssh.host_key_change', {}, { times: 1 });
    const b2 = await bootedVm('b');
    expect((await connect(b2.ip)).hostKey).not.toBe(keyA);
  });

  it('net.duplicate_ip: the second VM address answers as the first VM guest', async () => {
    await cloneVm(sim, 'a');
    await cloneVm(sim, 'b');
    const a = await bootedVm('a');
    sim.setFault('net.duplicate_ip', {}, { times: 1 });
    await startVm(sim, 'b');
    const ipB = await guestIp(sim, 'b');
    expect(ipB).toBe(a.ip);
    const c = await connect(ipB);
    expect((await run(c, "ifconfig en0 | awk '/ether/{print $2}'")).stdout.trim()).toBe(vmMac('a'));
  });
});

describe('ssh faults', () => {
  it('ssh.refuse(s): connections are refused for s seconds after SSH would be up', async () => {
    sim.setFault('ssh.refuse', { s: 1 }, { times: 1 });
    await cloneVm(sim, 'vm');
    const t0 = Date.now();
    await startVm(sim, 'vm');
    const ip = await guestIp(sim, 'vm');
    await expect(connect(ip)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await sshUp(ip);
    (await connect(ip)).client.end();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  });

  it('ssh.hang: TCP is accepted but no banner comes; the next connection works', async () => {
    sim.setFault('ssh.hang', {}, { times: 1 });
    await cloneVm(sim, 'vm');
    await startVm(sim, 'vm');
    const ip = await guestIp(sim, 'vm');
    const sock = await waitFor(
      () =>
        new Promise<net.Socket | undefined>((resolve) => {
          const s = net.connect(sim.guestPort, ip);
          s.once('connect', () => resolve(s));
          s.once('error', () => resolve(undefined));
        }),
    );
    let received = '';
    sock.on('data', (d) => (received += d));
    await new Promise((r) => setTimeout(r, 600));
    expect(received).toBe('');
    sock.destroy();
    const c = await connect(ip);
    expect((await run(c, 'true')).code).toBe(0);
  });

  it('ssh.auth_fail: correct credentials are rejected', async () => {
    await cloneVm(sim, 'vm');
    const { ip } = await bootedVm('vm');
    sim.setFault('ssh.auth_fail', {}, { times: 1 });
    await expect(connect(ip, { password: 'admin' })).rejects.toThrow(/authentication methods failed/);
    expect((await run(await connect(ip), 'true')).code).toBe(0);
  });

  it('ssh.drop: the channel closes without exit status, a detached process survives, and dies with the VM', async () => {
    await cloneVm(sim, 'vm');
    const vm = await bootedVm('vm');
    sim.setFault('ssh.drop', { afterS: 0.5 }, { times: 1 });
    const c1 = await connect(vm.ip);
    const dropped = await run(c1, 'nohup setsid sleep 300 >/dev/null 2>&1 & echo $!; sleep 30');
    expect(dropped.code).toBeUndefined();
    expect(dropped.signal).toBeUndefined();
    const pid = Number(dropped.stdout.trim());
    expect(alive(pid)).toBe(true);
    const c2 = await connect(vm.ip);
    expect((await run(c2, `kill -0 ${pid} && echo alive`)).stdout).toBe('alive\n');
    await vm.stop();
    await waitFor(() => !alive(pid), 5000, `guest process ${pid} to die with its VM`);
  });

  it('a SIGKILLed tart run takes every guest process with it', async () => {
    await cloneVm(sim, 'vm');
    const h = await startVm(sim, 'vm');
    const ip = await guestIp(sim, 'vm');
    await sshUp(ip);
    const c = await connect(ip);
    const pid = Number((await run(c, 'nohup setsid sleep 300 >/dev/null 2>&1 & echo $!')).stdout.trim());
    expect(alive(pid)).toBe(true);
    h.kill('SIGKILL');
    await h.exited;
    await waitFor(() => !alive(pid), 5000, `guest process ${pid} to die`);
  });
});

describe('network faults', () => {
  it('net.guest_offline marks guest processes as unable to reach GitHub', async () => {
    await cloneVm(sim, 'vm');
    const { ip } = await bootedVm('vm');
    const c = await connect(ip);
    expect((await run(c, 'echo ${SIM_GUEST_NET:-online}')).stdout).toBe('online\n');
    sim.setFault('net.guest_offline');
    expect((await run(c, 'echo ${SIM_GUEST_NET:-online}')).stdout).toBe('offline\n');
  });

  it.runIf(process.getuid?.() === 0)('net.local_network_denied: connects to guests fail with EHOSTUNREACH until cleared', async () => {
    await cloneVm(sim, 'vm');
    const { ip } = await bootedVm('vm');
    sim.setFault('net.local_network_denied');
    await expect(connect(ip)).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
    sim.clearFaults('net.local_network_denied');
    expect((await run(await connect(ip), 'true')).code).toBe(0);
  });
});
