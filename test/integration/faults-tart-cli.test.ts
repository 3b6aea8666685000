// `kill -9` of the Ekiden CLI mid-job, then a restart (field-failures.md #11, #50): the orphaned VM is
// reaped, the dead runner's registration is swept, and the loop resumes. The CLI runs as a real child
// process (`bin/ekiden run --config …`) against the simulated host.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimHost, type SimHost } from '../sim/host';
import { fastTimeouts } from './support/harness';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EKIDEN = path.join(repo, 'bin', 'ekiden');

interface Cli {
  proc: ChildProcess;
  out: string[];
  err: string[];
  exited: Promise<number | null>;
  /** Resolves with the first line (stdout or stderr, past or future) matching `re`. */
  line(re: RegExp, timeoutMs: number): Promise<string>;
}

function startCli(sim: SimHost): Cli {
  const proc = spawn(EKIDEN, ['run', '--config', sim.configPath], { env: sim.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  const waiters = new Set<() => void>();
  const feed = (into: string[]) => {
    let rest = '';
    return (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      into.push(...lines);
      for (const w of [...waiters]) w();
    };
  };
  proc.stdout!.on('data', feed(out));
  proc.stderr!.on('data', feed(err));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return {
    proc, out, err, exited,
    line: (re, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = [...out, ...err].find((l) => re.test(l));
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no line matching ${re} within ${timeoutMs} ms\nstdout:\n${out.join('\n')}\nstderr:\n${err.join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The CLI's own processes (tsx and the node running main.ts), not the tart children it spawned. */
function cliPids(root: number): number[] {
  const all = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const pid of all) {
      const ppid = parentOf(pid);
      if (!tree.has(pid) && ppid !== undefined && tree.has(ppid) && !/tart\.mjs|guest\.mjs/.test(cmdline(pid))) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree].filter((pid) => pid === root || /tsx|src-main\/cli\/main\.ts/.test(cmdline(pid)));
}

/** Polls the simulated world (another process changes it) until `check` holds, within a bound. */
async function until<T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let sim: SimHost | undefined;
const clis: Cli[] = [];
afterEach(async () => {
  for (const cli of clis.splice(0)) {
    for (const pid of cliPids(cli.proc.pid!)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await cli.exited;
  }
  await sim?.stop();
  sim = undefined;
});

describe('kill -9 of the Ekiden CLI', () => {
  it('mid-job, then a restart: the orphaned VM is reaped, the dead runner swept, and the next job runs', async () => {
    // A 0.05 time scale makes GitHub notice a vanished runner within 3 s (60 s nominal).
    sim = await startSimHost({ slots: 1, timeScale: 0.05, configure: fastTimeouts });
    const [lost] = await sim.enqueue(1, { durationMs: 300_000 });
    const first = startCli(sim);
    clis.push(first);
    await first.line(/slot 0 job started: /, 60_000);
    const { vms: [vm], runners } = await sim.leftovers();
    expect(vm).toMatch(new RegExp(`^ekiden-${sim.hostId}-0-`));
    expect(runners).toHaveLength(1);

    const pids = cliPids(first.proc.pid!);
    expect(pids.length).toBeGreaterThanOrEqual(1);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await first.exited;
    // Its tart run child outlived it: the VM still runs, the runner is still registered.
    const orphaned = await sim.leftovers();
    expect(orphaned.vms).toEqual([vm]);
    expect(sim.tart.processes().length).toBeGreaterThan(0);

    const second = startCli(sim);
    clis.push(second);
    await second.line(new RegExp(`removing leftover VM ${vm} \\(running\\)`), 60_000);
    const reaped = await until('reap and sweep', () => sim!.leftovers(), (l) => !l.vms.includes(vm) && !l.runners.some((r) => r.startsWith(vm)), 30_000);
    expect(reaped.runners.filter((r) => r.startsWith(vm))).toEqual([]);

    // The loop resumed: a new job runs once, in a new VM.
    const [next] = await sim.enqueue(1, { durationMs: 2_000, name: () => 'after restart' });
    await second.line(/slot 0 job done: after restart -> Succeeded/, 60_000);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(await sim.leftovers()).toEqual({ vms: [], runners: [] });
    expect(sim.tart.processes()).toEqual([]);

    const jobs = await sim.github.jobs();
    expect(jobs.find((j) => j.id === next)).toMatchObject({ status: 'completed', conclusion: 'success' });
    // The job whose VM died with the host cannot finish; GitHub fails it, it never runs twice.
    expect(jobs.find((j) => j.id === lost)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(second.out.filter((l) => / job started: /.test(l))).toHaveLength(1);
  }, 120_000);
});
