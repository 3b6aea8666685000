// A real OpenSSH sshd on 127.0.0.1 for guest-layer tests: its own host key, authorized_keys, pid
// file and HOME, all in a temp dir. The session user is whoever runs the tests (root here).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface OpenSshServer {
  dir: string;
  port: number;
  /** HOME of the sessions (SetEnv HOME=…). */
  home: string;
  /** Prepended to PATH of the sessions (fake macOS tools). */
  binDir: string;
  clientKey: string;
  hostKeyLine: string;
  otherHostKeyLine: string;
  otherClientKey: string;
  /** SIGKILLs the per-connection sshd processes: every open connection drops. */
  dropConnections(): Promise<number>;
  stop(): Promise<void>;
}

async function keygen(file: string): Promise<{ priv: string; pub: string }> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ekiden-test', '-f', file]);
  return { priv: await readFile(file, 'utf8'), pub: (await readFile(`${file}.pub`, 'utf8')).trim() };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${port} within ${ms} ms`);
}

/** Direct children of a pid, from /proc. */
export async function childPids(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 (ppid) follows the `(comm)` field, which may contain spaces.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(entry));
  }
  return out;
}

/** Every process command line on this machine (argv joined by spaces). */
export async function allCommandLines(): Promise<{ pid: number; args: string }[]> {
  const out: { pid: number; args: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const raw = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (raw) out.push({ pid: Number(entry), args: raw.split('\0').join(' ') });
  }
  return out;
}

export async function startOpenSsh(): Promise<OpenSshServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-sshd-'));
  const home = path.join(dir, 'home');
  const binDir = path.join(dir, 'bin');
  await mkdir(home, { recursive: true });
  await mkdir(binDir, { recursive: true });
  const hostKey = await keygen(path.join(dir, 'host_ed25519'));
  const otherHost = await keygen(path.join(dir, 'other_host_ed25519'));
  const client = await keygen(path.join(dir, 'client_ed25519'));
  const otherClient = await keygen(path.join(dir, 'other_client_ed25519'));
  await writeFile(path.join(dir, 'authorized_keys'), `${client.pub}\n`, { mode: 0o600 });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host_ed25519')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PrintMotd no',
    'MaxStartups 50',
    'LogLevel ERROR',
    `SetEnv HOME=${home} PATH=${binDir}:/usr/bin:/bin`,
  ].join('\n');
  const configFile = path.join(dir, 'sshd_config');
  await writeFile(configFile, `${config}\n`);
  // sshd insists on its privilege-separation directory.
  const createdRunDir = !existsSync('/run/sshd');
  if (createdRunDir) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  try {
    await waitForPort(port, child, 5_000);
  } catch (e) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  const sshdPid = child.pid!;
  return {
    dir, port, home, binDir,
    clientKey: client.priv,
    otherClientKey: otherClient.priv,
    hostKeyLine: hostKey.pub,
    otherHostKeyLine: otherHost.pub,
    async dropConnections() {
      const kids = await childPids(sshdPid);
      for (const pid of kids) process.kill(pid, 'SIGKILL');
      return kids.length;
    },
    async stop() {
      for (const pid of await childPids(sshdPid)) process.kill(pid, 'SIGKILL');
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
      if (createdRunDir) await rmdir('/run/sshd').catch(() => {});
    },
  };
}
