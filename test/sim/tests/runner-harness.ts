// Runs the fake runner's scripts as real processes in a temp HOME and records their output.
// Each process runs in its own session so cleanup can find and kill every descendant by id.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { type FakeRunnerOptions, installFakeRunner } from '../runner/install';
import { type RepoWorld, seedRepoWorld } from './github-harness';

export const TS = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: /;
const ANSI = /\x1b\[[0-9;]*m/g;

/** Alive = exists and is not a zombie (orphans are reaped late by this sandbox's init). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function pgrep(args: string[]): number[] {
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number).filter(alive);
  } catch {
    return [];
  }
}

export interface Line {
  stream: 'out' | 'err';
  text: string;
}

export class RunnerProcess {
  readonly lines: Line[] = [];
  /** Exit code once the output pipes closed too (every process holding them is gone). */
  readonly exited: Promise<number | null>;
  /** Exit code of the started script itself. */
  readonly scriptExited: Promise<number | null>;
  private waiters: (() => void)[] = [];
  private partial = { out: '', err: '' };

  constructor(readonly child: ChildProcess) {
    const feed = (stream: 'out' | 'err') => (chunk: Buffer) => {
      const text = this.partial[stream] + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial[stream] = parts.pop() ?? '';
      for (const p of parts) this.lines.push({ stream, text: p.replace(ANSI, '') });
      for (const w of this.waiters) w();
    };
    child.stdout?.on('data', feed('out'));
    child.stderr?.on('data', feed('err'));
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    this.scriptExited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    this.exited.then(() => this.waiters.forEach((w) => w()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Lines of one stream with timestamps replaced by `<ts>: `. */
  out(): string[] {
    return this.lines.filter((l) => l.stream === 'out').map((l) => l.text.replace(TS, '<ts>: '));
  }

  err(): string[] {
    return this.lines.filter((l) => l.stream === 'err').map((l) => l.text.replace(TS, '<ts>: '));
  }

  /** Resolves with the first line (ANSI-stripped, raw timestamps) matching `re`. */
  waitFor(re: RegExp, timeoutMs = 15_000, stream?: 'out' | 'err'): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.lines.find((l) => (!stream || l.stream === stream) && re.test(l.text));
        if (hit) {
          cleanup();
          resolve(hit.text);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${re}; output:\n${this.lines.map((l) => `[${l.stream}] ${l.text}`).join('\n')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  count(re: RegExp): number {
    return this.lines.filter((l) => re.test(l.text)).length;
  }

  /** Pids in this process's session whose command line matches `pattern` (pgrep -s <sid> -f). */
  pids(pattern: string): number[] {
    return pgrep(['-s', String(this.pid), '-f', pattern]);
  }

  /** Every process of the session (run.sh and all descendants). */
  sessionPids(): number[] {
    return pgrep(['-s', String(this.pid)]);
  }

  signalListener(sig: NodeJS.Signals): void {
    const [pid] = this.pids('bin/Runner.Listener');
    if (pid === undefined) throw new Error('no Runner.Listener process');
    process.kill(pid, sig);
  }

  /** Kills every process of the session and waits until none is left. */
  async killAll(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const pids = this.sessionPids();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`processes of session ${this.pid} survived SIGKILL`);
  }
}

export interface RunnerHome {
  home: string;
  root: string;
  /** Starts a script of ~/actions-runner (run.sh, config.sh) with plain bash. */
  start(script: string, args?: string[], env?: Record<string, string>, prefix?: string[]): RunnerProcess;
  /** Kills what was started and removes the temp HOME. */
  dispose(): Promise<void>;
}

export async function makeRunnerHome(opts: FakeRunnerOptions = {}): Promise<RunnerHome> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'fake-runner-'));
  await installFakeRunner(home, opts);
  const root = path.join(home, 'actions-runner');
  const procs: RunnerProcess[] = [];
  return {
    home,
    root,
    start(script, args = [], env = {}, prefix = []) {
      const argv = [...prefix, 'bash', path.join(root, script), ...args];
      const child = spawn(argv[0], argv.slice(1), {
        cwd: root,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: home,
          // Our sandboxes run as root; the fake's root check then believes the guest's admin uid.
          SIM_RUNNER_UID: '501',
          ...env,
        },
      });
      const p = new RunnerProcess(child);
      procs.push(p);
      return p;
    },
    async dispose() {
      for (const p of procs) await p.killAll();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** The stdout of a JIT runner that took one job (github.md §6.3), timestamps as `<ts>: `. */
export function jobTranscript(displayName: string, result: string, version = '2.336.0'): string[] {
  return [
    '',
    '√ Connected to GitHub',
    '',
    `Current runner version: '${version}'`,
    '<ts>: Listening for Jobs',
    `<ts>: Running job: ${displayName}`,
    `<ts>: Job ${displayName} completed with result: ${result}`,
    '√ Removed .credentials',
    '√ Removed .runner',
    'Runner listener exit with 0 return code, stop the service, no retry needed.',
    'Exiting runner...',
  ];
}

export const REGISTRATION_DELETED =
  'Failed to create a session. The runner registration has been deleted from the server, please re-configure. Runner registrations are automatically deleted for runners that have not connected to the service recently.';

/**
 * A fake GitHub with one repo and a fresh runner home for every test of the file, both disposed
 * after it. `setup` adjusts the server before the runner home is made.
 */
export function useRunnerWorld(setup?: (world: RepoWorld) => Promise<unknown>): { world: RepoWorld; home: RunnerHome } {
  const ctx = {} as { world: RepoWorld; home: RunnerHome };
  beforeEach(async () => {
    ctx.world = await seedRepoWorld({ timeScale: 0.01 });
    await setup?.(ctx.world);
    ctx.home = await makeRunnerHome();
  });
  afterEach(async () => {
    await ctx.home.dispose();
    await ctx.world.gh.close();
  });
  return ctx;
}
