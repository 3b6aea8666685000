// Shared checks for the TART/NET/SSH fault tests (field-failures.md): what must hold after every
// scenario, whatever the fault was.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it, vi } from 'vitest';
import type { FailureReason } from '../../../src-main/core/errors';
import type { Clock } from '../../../src-main/core/util/clock';
import { systemClock } from '../../../src-main/core/util/clock';
import { startHarness, type Harness, type HarnessOptions } from './harness';

/** Simulator time scale for these tests: boots, pulls and jobs run at a tenth of their nominal time. */
export const SIM_SPEED = 0.1;

/** First re-check of a host-wide error in these tests (Ekiden's default is 30 s). */
export const HOST_RETRY_SECONDS = 1;

/**
 * How Ekiden must always drive tart (tart.md §9, §11; field-failures #3, #9, #16, #42): headless runs,
 * TART_NO_AUTO_PRUNE and an explicit HOME/PATH on every call, `set --random-mac` before every run.
 */
export function expectTartInvariants(h: Harness): void {
  const calls = h.sim.tart.invocations();
  expect(calls.length).toBeGreaterThan(0);
  for (const call of calls) {
    const what = `tart ${call.argv.join(' ')}`;
    expect(call.present.TART_NO_AUTO_PRUNE, what).toBe(true);
    expect(call.env.HOME, what).toMatch(/^\//);
    expect(call.env.PATH, what).toBeTruthy();
    expect(call.env.TART_HOME, what).toBe(h.sim.tart.tartHome);
    if (call.argv[0] === 'run') expect(call.argv, what).toContain('--no-graphics');
  }
  // Every VM that ran got a fresh MAC first (a cancelled cycle may clone and delete without running).
  for (const run of calls.filter((c) => c.argv[0] === 'run')) {
    const vm = run.argv.at(-1)!;
    const set = calls.find((c) => c.argv[0] === 'set' && c.argv[1] === vm && c.argv.includes('--random-mac') && c.startedAt <= run.startedAt);
    expect(set, `tart set ${vm} --random-mac before tart run`).toBeDefined();
  }
}

/** Drains Ekiden; afterwards no VM, runner registration or simulator process of ours may remain. */
export async function shutdownClean(harness: Harness): Promise<void> {
  const leftovers = await harness.shutdown('drain');
  expect(leftovers).toEqual({ vms: [], runners: [] });
  expect(harness.sim.tart.processes()).toEqual([]);
  expectTartInvariants(harness);
}

/** Each enqueued job ran exactly once, successfully, and Ekiden saw it complete exactly once. */
export async function expectJobsDoneOnce(h: Harness, ids: number[]): Promise<void> {
  // The runner prints its completed line, then reports to GitHub: Ekiden may see the line first.
  const done = async () => (await h.sim.github.jobs()).filter((j) => ids.includes(j.id) && j.status === 'completed').length;
  await vi.waitFor(async () => {
    if ((await done()) < ids.length) throw new Error('GitHub has not completed every job yet');
  }, { timeout: 10_000, interval: 100 });
  const jobs = await h.sim.github.jobs();
  for (const id of ids) {
    const job = jobs.find((j) => j.id === id);
    expect(job, `job ${id}`).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(h.of('job.completed', (e) => e.job === job!.name).length, `job.completed for ${job!.name}`).toBe(1);
  }
}

/** How many times the host entered the host-wide error `reason` (one message per episode). */
export function hostErrorEpisodes(h: Harness, reason: FailureReason): number {
  let inside = false;
  let episodes = 0;
  for (const e of h.of('host.state')) {
    const now = e.hostError?.reason === reason;
    if (now && !inside) episodes++;
    inside = now;
  }
  return episodes;
}

/** Invocations of one tart subcommand, optionally for one VM. */
export function tartCalls(h: Harness, command: string, vm?: string) {
  return h.sim.tart.invocations().filter((c) => c.argv[0] === command && (vm === undefined || c.argv.includes(vm)));
}

/** Real time plus an offset the test can move forward: fake time for schedules, real timers for sleeps. */
export function skippableClock(): Clock & { skip(ms: number): void } {
  let offset = 0;
  return {
    now: () => systemClock.now() + offset,
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
    skip(ms) {
      offset += ms;
    },
  };
}

/**
 * A file's fault tests mostly wait on simulated processes, so two may run side by side; more would
 * crowd a 2-core machine and stretch the bounds the tests measure. `open` starts a harness that is
 * disposed when the test ends, pass or fail.
 */
export function faultTest(lanes = 2) {
  let running = 0;
  const queue: (() => void)[] = [];
  const acquire = async () => {
    if (running < lanes) running++;
    else await new Promise<void>((resolve) => queue.push(resolve));
  };
  // A finishing test hands its lane straight to the next one waiting.
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else running--;
  };
  return (name: string, body: (open: (opts: HarnessOptions) => Promise<Harness>) => Promise<void>) =>
    it.concurrent(
      name,
      async () => {
        await acquire();
        const opened: Harness[] = [];
        try {
          await body(async (opts) => {
            const h = await startHarness(opts);
            opened.push(h);
            // "(guest exit N)" means a simulated guest crashed, which no fault models: keep its log for the report.
            h.host.bus.on('failure', (e) => {
              if (!e.vm || !/\(guest exit \d+\)/.test(e.detail ?? '')) return;
              const log = path.join(h.sim.tart.vmDir(e.vm), '.sim', 'guest.log');
              console.error(`simulated guest ${e.vm} crashed; its log:\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-4000) : '(gone)'}`);
            });
            return h;
          });
        } finally {
          for (const h of opened) await h.dispose();
          release();
        }
      },
      240_000,
    );
}
