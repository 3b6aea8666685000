// Ekiden's real core (createEkidenHost, as `ekiden run` builds it) in this process, pointed at a
// simulated host running in another process; plus the exit-code convention of every benchmark.
import { mkdir } from 'node:fs/promises';
import { loadHostConfig } from '../../src-main/cli/load-host-config';
import { createEkidenHost, type EkidenHost, type EkidenHostOptions } from '../../src-main/core/ekiden-host';
import type { EkidenEvent } from '../../src-main/core/events/types';
import { startSimProcess, type SimProcess, type SimServerOptions } from './sim-process';

/** Short bounds so a stuck phase shows up as a failure within seconds (as the integration harness uses). */
export const BENCH_TIMEOUTS = { boot: 20, ip: 20, connect: 20, register: 30, idle: 120, job: 120, finishing: 20, stop: 5, delete: 20 };

export interface Rig {
  sim: SimProcess;
  host: EkidenHost;
  /** Waits until `count` job.completed events arrived (or fails after `timeoutMs`). */
  jobsCompleted(count: number, timeoutMs: number): Promise<void>;
  completed: number;
  failures: EkidenEvent[];
  dispose(): Promise<void>;
}

/** Starts the simulator process and Ekiden against it; `onEvent` sees every bus event. */
export async function startRig(
  opts: SimServerOptions,
  onEvent?: (e: EkidenEvent) => void,
  hostOptions: Partial<EkidenHostOptions> = {},
): Promise<Rig> {
  const sim = await startSimProcess({ ...opts, config: { timeouts: BENCH_TIMEOUTS, ...opts.config } });
  let host: EkidenHost;
  try {
    const loaded = await loadHostConfig(sim.configPath, sim.env);
    await mkdir(sim.stateDir, { recursive: true, mode: 0o700 });
    host = await createEkidenHost({ ...hostOptions, config: loaded.config, secrets: loaded.secrets, stateDir: sim.stateDir, env: sim.env });
  } catch (error) {
    await sim.stop();
    throw error;
  }
  let waiter: { count: number; resolve: () => void } | undefined;
  const rig: Rig = {
    sim, host, completed: 0, failures: [],
    jobsCompleted(count, timeoutMs) {
      if (rig.completed >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${rig.completed} of ${count} jobs completed within ${timeoutMs / 1000} s`)), timeoutMs);
        waiter = { count, resolve: () => (clearTimeout(timer), resolve()) };
      });
    },
    async dispose() {
      await host.shutdown('now').catch(() => {});
      await sim.stop();
    },
  };
  host.bus.subscribe((e) => {
    if (e.type === 'job.completed' && ++rig.completed >= (waiter?.count ?? Infinity)) waiter?.resolve();
    if (e.type === 'failure') rig.failures.push(e);
    onEvent?.(e);
  });
  return rig;
}

export interface BenchArgs {
  quick: boolean;
  /** `--name value` options after the bench name. */
  options: Record<string, string>;
}

export function benchArgs(argv = process.argv.slice(2)): BenchArgs {
  const options: Record<string, string> = {};
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') quick = true;
    else if (argv[i].startsWith('--') && i + 1 < argv.length) options[argv[i].slice(2)] = argv[++i];
  }
  return { quick, options };
}

/** Runs a benchmark: exit 0 when every target is met, 1 when one is missed, 2 when it crashed. */
export function runBench(name: string, body: (args: BenchArgs) => Promise<boolean>): void {
  body(benchArgs()).then(
    (met) => process.exit(met ? 0 : 1),
    (error: Error) => {
      console.error(`${name} crashed: ${error.stack ?? error}`);
      process.exit(2);
    },
  );
}

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
