// Processes inside the guest: the admin user's environment, spawning, and wiring a process to a channel
// (SSH or agent). A process outlives its channel: on a drop only its pipes close, as with sshd.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { GUEST_USER } from '../tart/guest-spec';

export interface GuestRuntime {
  home: string;
  stateDir: string;
  tmpDir: string;
  binDir: string;
  runId: string;
  instanceId: string;
  vmName: string;
  /** net.guest_offline is decided per process start. */
  offline: () => boolean;
}

export function guestPath(rt: GuestRuntime): string {
  return [rt.binDir, path.dirname(process.execPath), '/usr/bin', '/bin'].join(':');
}

export function guestEnv(rt: GuestRuntime, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const p = guestPath(rt);
  const env: NodeJS.ProcessEnv = {
    HOME: rt.home,
    USER: GUEST_USER,
    LOGNAME: GUEST_USER,
    SHELL: '/bin/bash',
    PATH: p,
    // A login shell's profile restores this (the host's /etc/profile resets PATH, like path_helper on macOS).
    SIM_GUEST_PATH: p,
    TMPDIR: rt.tmpDir,
    LANG: 'en_US.UTF-8',
    // The guest user is admin (uid 501 on macOS), even when the simulator itself runs as root (CI):
    // the fake runner's root check reads this instead of `id -u`.
    SIM_RUNNER_UID: '501',
    ...extra,
    // Markers last, so a client's env request cannot remove them: the VM's death finds every process by them.
    TART_SIM_GUEST: rt.runId,
    TART_SIM_INSTANCE: rt.instanceId,
    TART_SIM_GUEST_STATE: rt.stateDir,
    TART_SIM_GUEST_PID: String(process.pid),
  };
  if (rt.offline()) env.SIM_GUEST_NET = 'offline';
  return env;
}

export function spawnInGuest(rt: GuestRuntime, file: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(file, args, { cwd: rt.home, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface Channel {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  /** Both output pipes drained and the process ended. */
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

/** Connects a process to a channel; returns a function that detaches it (closes its pipes, no kill). */
export function attach(child: ChildProcess, ch: Channel): () => void {
  let open = 2;
  let status: [number | null, NodeJS.Signals | null] | undefined;
  let detached = false;
  const maybeExit = (): void => {
    if (!detached && open === 0 && status) ch.exit(status[0], status[1]);
  };
  child.stdout!.on('data', (d: Buffer) => ch.stdout(d));
  child.stderr!.on('data', (d: Buffer) => ch.stderr(d));
  for (const s of [child.stdout!, child.stderr!]) {
    s.on('close', () => {
      open -= 1;
      maybeExit();
    });
    s.on('error', () => undefined);
  }
  child.stdin!.on('error', () => undefined);
  child.on('exit', (code, signal) => {
    status = [code, signal];
    maybeExit();
  });
  child.on('error', (e) => {
    if (detached) return;
    ch.stderr(Buffer.from(`${e.message}\n`));
    status = [127, null];
    open = 0;
    maybeExit();
  });
  return () => {
    if (detached) return;
    detached = true;
    child.stdin!.destroy();
    child.stdout!.destroy();
    child.stderr!.destroy();
  };
}
