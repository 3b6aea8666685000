// Starts the simulated host (sim-server.ts) in a child process and talks to it over IPC, so the
// benchmark process holds Ekiden alone: its CPU time and memory are Ekiden's (plus a few counters).
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What one VM's steps cost the simulator alone (sim-server.ts). */
export interface Calibration {
  cloneMs: number[];
  bootMs: number[];
  loginMs: number[];
  removeMs: number[];
}

export interface SimServerOptions {
  slots: 1 | 2;
  /** Multiplies the simulator's delays (boot timeline, job durations in the runner, GitHub long polls). */
  timeScale: number;
  /** Boot timeline before timeScale (ms from `tart run`): lease, SSH, agent. */
  timeline?: { bootDelayMs?: number; sshDelayMs?: number; agentDelayMs?: number };
  /** Patches Ekiden's configuration: top-level keys merge one level deep, `null` drops a key (product default). */
  config?: Record<string, unknown>;
}

export interface SimReady {
  type: 'ready';
  configPath: string;
  stateDir: string;
  home: string;
  hostId: string;
  imageRef: string;
  tartPath: string;
  tartHome: string;
  githubUrl: string;
}

export type SimCommand =
  | { op: 'enqueue'; count: number; durationMs: number }
  | { op: 'leftovers' }
  | { op: 'unfinished' }
  | { op: 'processes' }
  | { op: 'tartCalls' }
  | { op: 'calibrate'; rounds: number }
  | { op: 'stop' };
export type SimRequest = { id: number } & SimCommand;

type Reply = { type: 'reply'; id: number; value?: unknown; error?: string };

export interface SimProcess extends SimReady {
  pid: number;
  /** Env for Ekiden, as `ekiden run` would get it on this host. */
  env: NodeJS.ProcessEnv;
  enqueue(count: number, durationMs: number): Promise<number[]>;
  leftovers(): Promise<{ vms: string[]; runners: string[] }>;
  unfinishedJobs(): Promise<number>;
  /** Live pids of the simulator's VMs (tart run, guests, runners in guests). */
  processes(): Promise<number[]>;
  calibrate(rounds: number): Promise<Calibration>;
  /** How often each tart subcommand ran so far. */
  tartCalls(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sim-server.ts');

export async function startSimProcess(opts: SimServerOptions): Promise<SimProcess> {
  const child: ChildProcess = fork(SERVER, [], { execArgv: ['--import', 'tsx/esm'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`simulator exited (${code ?? signal})`));
    pending.clear();
  });
  const ready = await new Promise<SimReady>((resolve, reject) => {
    child.on('message', (msg: SimReady | Reply | { type: 'failed'; error: string }) => {
      if (msg.type === 'ready') resolve(msg);
      else if (msg.type === 'failed') reject(new Error(`simulator failed to start: ${msg.error}`));
      else if (msg.type === 'reply') {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error !== undefined) p?.reject(new Error(msg.error));
        else p?.resolve(msg.value);
      }
    });
    child.once('exit', (code) => reject(new Error(`simulator exited before it was ready (${code})`)));
    child.send(opts);
  });
  const call = <T>(req: SimCommand): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...req, id });
    });
  let stopped = false;
  return {
    ...ready,
    pid: child.pid!,
    env: { ...process.env, HOME: ready.home, EKIDEN_CONFIG: ready.configPath },
    enqueue: (count, durationMs) => call({ op: 'enqueue', count, durationMs }),
    leftovers: () => call({ op: 'leftovers' }),
    unfinishedJobs: () => call({ op: 'unfinished' }),
    processes: () => call({ op: 'processes' }),
    calibrate: (rounds) => call({ op: 'calibrate', rounds }),
    tartCalls: () => call({ op: 'tartCalls' }),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        await call({ op: 'stop' }).catch(() => {});
        child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
