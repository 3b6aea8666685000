// The guest layer against a real OpenSSH server: SshGuestConnector, SshGuestShell, RunnerControl.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EkidenError } from '../../src-main/core/errors';
import type { GuestShell, GuestTarget } from '../../src-main/core/guest/guest-shell';
import { fingerprint } from '../../src-main/core/guest/host-key';
import { parseRunnerLine } from '../../src-main/core/guest/runner-output';
import { RunnerControl } from '../../src-main/core/guest/runner-control';
import { SshGuestConnector } from '../../src-main/core/guest/ssh-guest-connector';
import { allCommandLines, freePort, startOpenSsh, type OpenSshServer } from './support/openssh';

let sshd: OpenSshServer;
const connector = new SshGuestConnector({ attemptTimeoutMs: 3_000 });
const connectOpts = { timeoutMs: 8_000, retryDelayMs: 100, keepaliveIntervalMs: 1_000 };
const userKnownHosts = path.join(os.homedir(), '.ssh', 'known_hosts');
let userKnownHostsBefore: string | null;
const shells: GuestShell[] = [];

function target(vm: string, extra: Partial<GuestTarget> = {}): GuestTarget {
  return {
    host: '127.0.0.1', port: sshd.port, user: os.userInfo().username, privateKey: sshd.clientKey,
    knownHostsFile: path.join(sshd.dir, 'known_hosts', vm), ...extra,
  };
}

async function connect(vm: string, extra: Partial<GuestTarget> = {}): Promise<GuestShell> {
  const shell = await connector.connect(target(vm, extra), connectOpts);
  shells.push(shell);
  return shell;
}

/** Resolves once `check` holds, polling; fails after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function secretInAnyArgv(secret: string): Promise<boolean> {
  return (await allCommandLines()).some((p) => p.args.includes(secret));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A long guest command whose pid the test can kill: OpenSSH ignores channel signal requests (seen
 * with 9.2), so a timed-out or dropped command would otherwise outlive the test.
 */
function longCommand(name: string): { command: string; kill: () => Promise<void> } {
  const pidFile = path.join(sshd.home, `${name}.pid`);
  return {
    command: `echo $$ > ${pidFile}; exec sleep 30`,
    kill: async () => {
      await until(() => existsSync(pidFile), 5_000, `${name} to start`);
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
      } catch {}
      await rm(pidFile, { force: true });
    },
  };
}

async function rejection(p: Promise<unknown>): Promise<EkidenError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(EkidenError);
  return e as EkidenError;
}

beforeAll(async () => {
  userKnownHostsBefore = existsSync(userKnownHosts) ? readFileSync(userKnownHosts, 'utf8') : null;
  sshd = await startOpenSsh();
});

afterAll(async () => {
  await Promise.all(shells.map((s) => s.close().catch(() => {})));
  await sshd?.stop();
});

describe('SshGuestConnector against OpenSSH', () => {
  it('connects with a key; exec reports exit codes and both streams, chunk by chunk', async () => {
    const shell = await connect('vm-exec');
    const out: string[] = [];
    const err: string[] = [];
    const r = await shell.exec('echo out1; echo err1 >&2; printf "√ ünï"; exit 3', { onStdout: (c) => out.push(c), onStderr: (c) => err.push(c) });
    expect(r).toEqual({ code: 3, signal: null, stdout: 'out1\n√ ünï', stderr: 'err1\n' });
    expect(out.join('')).toBe(r.stdout);
    expect(err.join('')).toBe(r.stderr);
    expect((await shell.exec('true')).code).toBe(0);
  });

  it('a command killed by a signal has no exit code but names the signal', async () => {
    const shell = await connect('vm-signal');
    expect(await shell.exec('kill -TERM $$')).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('stdin is written then closed: the secret reaches the command and never any argv', async () => {
    const shell = await connect('vm-stdin');
    const secret = `jit-${Math.random().toString(36).slice(2)}-secret`;
    const got = path.join(sshd.home, 'got-secret');
    const go = path.join(sshd.home, 'go');
    const running = shell.exec(
      `IFS= read -r S; printf %s "$S" > ${got}; while [ ! -f ${go} ]; do sleep 0.05; done; cat; echo after-eof`,
      { stdin: `${secret}\nrest of stdin` },
    );
    await until(() => existsSync(got) && readFileSync(got, 'utf8') === secret, 5_000, 'the secret to arrive');
    expect(await secretInAnyArgv(secret)).toBe(false);
    await writeFile(go, '');
    // `cat` ends only because EOF follows the data.
    expect(await running).toMatchObject({ code: 0, stdout: 'rest of stdinafter-eof\n' });
    await rm(got);
    await rm(go);
  });

  it('a command that outlives timeoutMs is cut off with ssh_timeout; abort rejects with the reason', async () => {
    const shell = await connect('vm-timeout');
    const slow = longCommand('timeout');
    const e = await rejection(shell.exec(slow.command, { timeoutMs: 300 }));
    expect(e.reason).toBe('ssh_timeout');
    await slow.kill();
    const ac = new AbortController();
    const aborted = longCommand('abort');
    const p = shell.exec(aborted.command, { signal: ac.signal });
    ac.abort(new Error('stop now'));
    await expect(p).rejects.toThrow('stop now');
    await aborted.kill();
    expect((await shell.exec('echo still usable')).stdout).toBe('still usable\n');
  });

  it('a wrong key is ssh_auth at once, without retrying until the timeout', async () => {
    const started = Date.now();
    const e = await rejection(connector.connect(target('vm-auth', { privateKey: sshd.otherClientKey }), { ...connectOpts, timeoutMs: 20_000 }));
    expect(e.reason).toBe('ssh_auth');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a closed port is retried until the total timeout, then ssh_refused', async () => {
    const port = await freePort();
    const started = Date.now();
    const e = await rejection(connector.connect(target('vm-refused', { port }), { ...connectOpts, timeoutMs: 1_000 }));
    expect(e.reason).toBe('ssh_refused');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('a server that accepts TCP but never sends a banner times out per attempt: ssh_timeout', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const hangConnector = new SshGuestConnector({ attemptTimeoutMs: 300 });
      const e = await rejection(hangConnector.connect(target('vm-hang', { port }), { ...connectOpts, timeoutMs: 1_000 }));
      expect(e.reason).toBe('ssh_timeout');
      expect(sockets.length).toBeGreaterThanOrEqual(2);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('a pinned host key (OpenSSH line or SHA256 fingerprint) is accepted; another key is refused', async () => {
    const line = sshd.hostKeyLine;
    const blob = Buffer.from(line.split(' ')[1], 'base64');
    await connect('vm-pin-line', { pinnedHostKey: line });
    await connect('vm-pin-fp', { pinnedHostKey: fingerprint(blob) });
    const e = await rejection(connector.connect(target('vm-pin-wrong', { pinnedHostKey: sshd.otherHostKeyLine }), connectOpts));
    expect(e.reason).toBe('ip_identity_mismatch');
    const other = Buffer.from(sshd.otherHostKeyLine.split(' ')[1], 'base64');
    const e2 = await rejection(connector.connect(target('vm-pin-wrong-fp', { pinnedHostKey: fingerprint(other) }), connectOpts));
    expect(e2.reason).toBe('ip_identity_mismatch');
  });

  it("known hosts live in one file per VM: first use records the key, a changed key is refused, the user's file is untouched", async () => {
    const file = target('vm-kh').knownHostsFile;
    await connect('vm-kh');
    const recorded = await readFile(file, 'utf8');
    expect(recorded).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostKeyLine.split(' ').slice(0, 2).join(' ')}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await connect('vm-kh');
    expect(await readFile(file, 'utf8')).toBe(recorded);

    // The same address as another VM (a reused IP with an older image's key): that VM's file says otherwise.
    const stale = target('vm-kh-stale').knownHostsFile;
    await mkdir(path.dirname(stale), { recursive: true });
    await writeFile(stale, `[127.0.0.1]:${sshd.port} ${sshd.otherHostKeyLine.split(' ').slice(0, 2).join(' ')}\n`);
    expect((await rejection(connector.connect(target('vm-kh-stale'), connectOpts))).reason).toBe('ip_identity_mismatch');
    // A fresh VM file for the same address is fine.
    await connect('vm-kh-fresh');

    const after = existsSync(userKnownHosts) ? readFileSync(userKnownHosts, 'utf8') : null;
    expect(after).toBe(userKnownHostsBefore);
  });

  it('a dropped connection ends running commands with code null and resolves `closed`', async () => {
    const shell = await connect('vm-drop');
    const slow = longCommand('drop');
    const running = shell.exec(slow.command);
    await until(() => existsSync(path.join(sshd.home, 'drop.pid')), 5_000, 'the command to start');
    expect(await sshd.dropConnections()).toBeGreaterThan(0);
    expect(await running).toMatchObject({ code: null, signal: null });
    await shell.closed;
    const e = await rejection(shell.exec('true'));
    expect(e.reason).toBe('ssh_dropped');
    await slow.kill();
  });
});

const FAKE_RUN_SH = `#!/bin/sh
echo "jit-length \${#ACTIONS_RUNNER_INPUT_JITCONFIG}"
echo "token \${ACTIONS_RUNNER_INPUT_TOKEN:-unset}"
echo "args [$*]"
echo
echo "√ Connected to GitHub"
echo "Current runner version: '2.336.0'"
echo "2026-08-17 14:15:44Z: Listening for Jobs"
while [ ! -f "$HOME/step1" ]; do sleep 0.05; done
echo "2026-08-17 14:16:02Z: Running job: build (macos, 15)"
echo "ünïcödé √ line" >&2
printf 'a cut line'
while [ ! -f "$HOME/step2" ]; do sleep 0.05; done
printf ' that ends later\\n'
echo "2026-08-17 14:17:10Z: Job build (macos, 15) completed with result: Succeeded"
echo "Exiting runner..."
exit 7
`;

const FAKE_CONFIG_SH = `#!/bin/sh
printf '%s\\n' "$@" > "$HOME/config-args"
if [ -f "$HOME/config-fail" ]; then
  echo "Http response code: NotFound from 'POST https://api.github.com/actions/runner-registration' (Request Id: 1A2B)" >&2
  echo '{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}' >&2
  echo "Response status code does not indicate success: 404 (Not Found)." >&2
  exit 1
fi
echo "token-length \${#ACTIONS_RUNNER_INPUT_TOKEN}"
echo "√ Settings Saved."
`;

const FAKE_IFCONFIG = `#!/bin/sh
[ "$1" = en0 ] || { echo "ifconfig: interface $1 does not exist" >&2; exit 1; }
printf 'en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\\n'
printf '\\toptions=400<CHANNEL_IO>\\n'
printf '\\tether 7e:3e:0a:1b:00:ff\\n'
printf '\\tinet 192.168.64.3 netmask 0xffffff00 broadcast 192.168.64.255\\n'
`;

describe('RunnerControl against OpenSSH', () => {
  const control = new RunnerControl({ pollSeconds: 0.05 });
  const runnerDir = () => path.join(sshd.home, 'actions-runner');
  const stateDir = () => path.join(sshd.home, '.ekiden');

  beforeAll(async () => {
    await mkdir(runnerDir(), { recursive: true });
    await writeFile(path.join(runnerDir(), 'run.sh'), FAKE_RUN_SH);
    await writeFile(path.join(runnerDir(), 'config.sh'), FAKE_CONFIG_SH);
    await chmod(path.join(runnerDir(), 'run.sh'), 0o755);
    await chmod(path.join(runnerDir(), 'config.sh'), 0o755);
    await writeFile(path.join(sshd.binDir, 'ifconfig'), FAKE_IFCONFIG, { mode: 0o755 });
  });

  async function resetSteps(): Promise<void> {
    for (const f of ['step1', 'step2', 'config-fail', 'config-args']) await rm(path.join(sshd.home, f), { force: true });
  }

  /** `tail -f` processes following the runner log in the guest. */
  const followers = async () =>
    (await allCommandLines()).filter((p) => p.args.startsWith('tail ') && p.args.includes(path.join(stateDir(), 'runner.log')));

  async function runnerPid(): Promise<number> {
    return Number((await readFile(path.join(stateDir(), 'runner.pid'), 'utf8')).trim());
  }

  it('a JIT runner started over stdin survives dropped connections; re-attaching loses and repeats no line', async () => {
    await resetSteps();
    const jit = `eyJqaXQiOiJzZWNyZXQtJHtNYXRoLnJhbmRvbSgpfSJ9${Math.random().toString(36).slice(2)}`;
    await control.startJit(await connect('vm-runner-1'), jit);
    const pid = await runnerPid();
    expect(alive(pid)).toBe(true);
    expect(await secretInAnyArgv(jit)).toBe(false);

    const lines: string[] = [];
    const never = new AbortController().signal;

    // 1st attach: follow until Listening, then the sshd session process dies under us.
    const first = control.attach(await connect('vm-runner-1'), 0, (l) => lines.push(l), never);
    await until(() => lines.some((l) => parseRunnerLine(l)?.kind === 'listening'), 5_000, 'Listening for Jobs');
    // The output streams through a follower in the guest (no polling between a line and the host).
    expect((await followers()).length).toBe(1);
    await sshd.dropConnections();
    const r1 = await first;
    expect(r1.kind).toBe('dropped');
    expect(alive(pid)).toBe(true);

    // While nobody watches, the job starts and a line is cut in the middle.
    await writeFile(path.join(sshd.home, 'step1'), '');
    await until(async () => (await readFile(path.join(stateDir(), 'runner.log'), 'utf8')).endsWith('a cut line'), 5_000, 'the cut line');

    // 2nd attach from the offset: catches up, then we close the client while the line is still cut.
    const shell2 = await connect('vm-runner-1');
    const second = control.attach(shell2, r1.offset, (l) => lines.push(l), never);
    await until(() => lines.includes('ünïcödé √ line'), 5_000, 'the catch-up lines');
    await shell2.close();
    const r2 = await second;
    expect(r2.kind).toBe('dropped');
    expect(alive(pid)).toBe(true);

    // 3rd attach: the rest, and the exit code recorded in the guest.
    await writeFile(path.join(sshd.home, 'step2'), '');
    const r3 = await control.attach(await connect('vm-runner-1'), r2.offset, (l) => lines.push(l), never);
    expect(r3).toEqual({ kind: 'exited', exitCode: 7, offset: statSync(path.join(stateDir(), 'runner.log')).size });

    expect(lines).toEqual([
      `jit-length ${jit.length}`,
      'token unset',
      'args []',
      '',
      '√ Connected to GitHub',
      "Current runner version: '2.336.0'",
      '2026-08-17 14:15:44Z: Listening for Jobs',
      '2026-08-17 14:16:02Z: Running job: build (macos, 15)',
      'ünïcödé √ line',
      'a cut line that ends later',
      '2026-08-17 14:17:10Z: Job build (macos, 15) completed with result: Succeeded',
      'Exiting runner...',
    ]);
    expect(readFileSync(path.join(stateDir(), 'runner.log'), 'utf8')).not.toContain(jit);
    await until(() => !alive(pid), 5_000, 'the runner wrapper to end');

    // Attaching after the end replays from the offset and reports the exit at once.
    const late: string[] = [];
    const r4 = await control.attach(await connect('vm-runner-1'), r2.offset, (l) => late.push(l), never);
    expect(r4.kind).toBe('exited');
    expect(late).toEqual(lines.slice(9));
    // The guest's log followers (`tail -f`) end with their attach: none outlives the runner for long.
    await until(async () => (await followers()).length === 0, 10_000, 'the log followers to end');
  });

  it('a runner killed without recording an exit is reported as exited with code null', async () => {
    await resetSteps();
    await control.startJit(await connect('vm-runner-2'), 'jit-config');
    const pid = await runnerPid();
    const lines: string[] = [];
    const attached = control.attach(await connect('vm-runner-2'), 0, (l) => lines.push(l), new AbortController().signal);
    await until(() => lines.includes('2026-08-17 14:15:44Z: Listening for Jobs'), 5_000, 'Listening for Jobs');
    // Kill the whole wrapper chain we started in the guest (wrapper, run.sh and its sleep).
    for (const p of (await allCommandLines()).filter((p) => p.pid === pid || p.args.includes(path.join(runnerDir(), 'run.sh')))) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {}
    }
    const r = await attached;
    expect(r).toMatchObject({ kind: 'exited', exitCode: null });
    expect(existsSync(path.join(stateDir(), 'runner.exit'))).toBe(false);
  });

  it('the registration-token fallback passes the token only through the environment, then runs run.sh', async () => {
    await resetSteps();
    const token = `AABBCC${Math.random().toString(36).slice(2).toUpperCase()}`;
    await control.startWithToken(await connect('vm-runner-3'), {
      url: 'https://github.com/acme', token, name: 'ekiden-mini-0-abc', labels: ['self-hosted', 'macOS', 'xcode 16'],
      group: 'Default', workFolder: '_work', disableUpdate: true,
    });
    const lines: string[] = [];
    const attached = control.attach(await connect('vm-runner-3'), 0, (l) => lines.push(l), new AbortController().signal);
    await until(() => lines.includes('2026-08-17 14:15:44Z: Listening for Jobs'), 5_000, 'Listening for Jobs');
    expect(await secretInAnyArgv(token)).toBe(false);
    const args = (await readFile(path.join(sshd.home, 'config-args'), 'utf8')).trim().split('\n');
    expect(args).toEqual([
      '--unattended', '--url', 'https://github.com/acme', '--name', 'ekiden-mini-0-abc', '--work', '_work', '--ephemeral', '--replace',
      '--labels', 'self-hosted,macOS,xcode 16', '--runnergroup', 'Default', '--disableupdate',
    ]);
    await writeFile(path.join(sshd.home, 'step1'), '');
    await writeFile(path.join(sshd.home, 'step2'), '');
    const r = await attached;
    expect(r).toMatchObject({ kind: 'exited', exitCode: 7 });
    expect(lines.slice(0, 3)).toEqual([`token-length ${token.length}`, '√ Settings Saved.', 'jit-length 0']);
    // run.sh no longer sees the token.
    expect(lines).toContain('token unset');
  });

  it('an expired registration token shows the 404 transcript and the config.sh exit code', async () => {
    await resetSteps();
    await writeFile(path.join(sshd.home, 'config-fail'), '');
    await control.startWithToken(await connect('vm-runner-4'), {
      url: 'https://github.com/acme', token: 'expired', name: 'n', labels: [], group: '', workFolder: '_work', disableUpdate: false,
    });
    const lines: string[] = [];
    const r = await control.attach(await connect('vm-runner-4'), 0, (l) => lines.push(l), new AbortController().signal);
    expect(r).toMatchObject({ kind: 'exited', exitCode: 1 });
    expect(lines.map(parseRunnerLine).some((m) => m?.kind === 'registration-token-invalid')).toBe(true);
  });

  it('start refuses without a runner directory, and attach without a started runner', async () => {
    const shell = await connect('vm-runner-5');
    const bare = new RunnerControl({ runnerDir: 'no-such-runner', stateDir: '.ekiden-bare' });
    const e = await rejection(bare.startJit(shell, 'x'));
    expect(e.message).toContain('no actions runner directory');
    const e2 = await rejection(new RunnerControl({ stateDir: '.ekiden-none' }).attach(shell, 0, () => {}, new AbortController().signal));
    expect(e2.reason).toBe('runner_crashed');
  });

  it('job details come from the newest worker log: the JSON after its Job message line, up to the next trace line', async () => {
    const diag = path.join(runnerDir(), '_diag');
    await mkdir(diag, { recursive: true });
    const github = { t: 2, d: [{ k: 'server_url', v: 'https://github.com' }, { k: 'repository', v: 'acme/ios' }, { k: 'run_id', v: '987' }] };
    const body = JSON.stringify({ messageType: 'PipelineAgentJobRequest', contextData: { github } }, null, 2);
    await writeFile(path.join(diag, 'Worker_20260817-141500-utc.log'), '[2026-08-17 14:15:00Z INFO Worker] Job message:\n {"contextData": {}}\n');
    await new Promise((r) => setTimeout(r, 1100));
    await writeFile(
      path.join(diag, 'Worker_20260817-141602-utc.log'),
      `[2026-08-17 14:16:02Z INFO Worker] Waiting to receive the job message from the channel.\n[2026-08-17 14:16:02Z INFO Worker] Job message:\n ${body}\n[2026-08-17 14:16:02Z INFO JobRunner] Job ID 1 started.\n`,
    );
    const shell = await connect('vm-job-details');
    expect(await control.jobDetails(shell)).toEqual({ repository: 'acme/ios', runId: '987', runUrl: 'https://github.com/acme/ios/actions/runs/987' });
    await rm(diag, { recursive: true, force: true });
    expect(await control.jobDetails(shell)).toBeUndefined();
  });

  it("identity compares the guest's en0 MAC with the VM's, case- and padding-insensitively", async () => {
    const shell = await connect('vm-identity');
    expect(await control.guestMac(shell)).toBe('7e:3e:0a:1b:00:ff');
    expect(await control.identity(shell, '7E:3E:A:1B:0:FF')).toEqual({ matches: true, guestMac: '7e:3e:0a:1b:00:ff' });
    expect((await control.identity(shell, '7e:3e:0a:1b:00:fe')).matches).toBe(false);
  });
});
