// Shared checks for the GitHub/runner fault tests (field-failures.md §C, §D): what every fault test
// asserts besides its own symptom, plus small probes into the simulator.
import { expect, type TestContext } from 'vitest';
import type { EkidenConfigInput } from '../../../src-main/core/config/schema';
import type { EventOf, LogEntry, SlotState } from '../../../src-main/core/events/types';
import { processEnv, signalAll } from '../../sim/tart/sweep';
import { startHarness, type Harness, type HarnessOptions } from './harness';

/**
 * A harness disposed when the test ends (also for concurrent tests: the test's own hook). The VMs
 * boot faster than by default (these tests are about GitHub, not Tart); GitHub's and the runner's
 * timing stays real.
 */
export async function openHarness(ctx: Pick<TestContext, 'onTestFinished'>, opts: HarnessOptions): Promise<Harness> {
  const h = await startHarness({ ...opts, tart: { timeScale: 0.1, ...opts.tart } });
  ctx.onTestFinished(() => h.dispose());
  return h;
}

/** A classic PAT on the fake (an org admin's), for acting on GitHub as someone other than Ekiden. */
export async function adminRest(h: Harness): Promise<(method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>> {
  const token = await h.sim.github.seedToken({ kind: 'classic_pat', scopes: ['admin:org', 'repo'], user: 'octo-admin' });
  return async (method, path, body) => {
    const res = await fetch(`${h.sim.github.apiUrl}${path}`, {
      method,
      headers: { authorization: `token ${token.value}`, accept: 'application/vnd.github+json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
}

/** Timeouts are integer seconds >= 1; the rest of fastTimeouts stays. */
export function withTimeouts(t: Partial<NonNullable<EkidenConfigInput['timeouts']>>) {
  return (config: EkidenConfigInput): void => {
    config.timeouts = { ...config.timeouts, ...t };
  };
}

/** Log entries Ekiden wrote, optionally for one VM. */
export function logEntries(h: Harness, vm?: string): LogEntry[] {
  return h.of('log').map((e) => e.entry).filter((e) => vm === undefined || e.vm === vm);
}

export function logLines(h: Harness, vm?: string): string[] {
  return logEntries(h, vm).map((e) => e.text);
}

/** The next time slot `slot` reaches `state` on a VM other than those in `except`. */
export function waitSlotState(h: Harness, slot: number, state: SlotState, except: string[] = [], timeoutMs = 45_000): Promise<EventOf<'slot.state'>> {
  return h.waitFor('slot.state', (e) => e.slot === slot && e.state === state && !!e.vm && !except.includes(e.vm), timeoutMs);
}

/** The runner id GitHub gave the runner of `vm` (JIT name = VM name, or `<vm>-<n>` after a retry). */
export async function runnerIdOf(h: Harness, vm: string): Promise<number> {
  const runners = await h.sim.github.runners();
  const r = runners.find((x) => x.name === vm || x.name.startsWith(`${vm}-`));
  if (!r) throw new Error(`no runner registered for ${vm}: ${runners.map((x) => x.name).join(', ')}`);
  return r.id;
}

/**
 * Each enqueued job completed exactly once in the fake, with `conclusion`, and Ekiden saw it start
 * and complete exactly once. Waits for the end of the cycles that ran them first: the runner
 * reports the job to GitHub after printing its completion line, and exits after that.
 */
export async function expectEachJobOnce(h: Harness, ids: number[], conclusion = 'success'): Promise<void> {
  for (const id of ids) {
    const name = (await h.sim.github.job(id)).name;
    for (const done of h.of('job.completed', (e) => e.job === name)) await h.waitFor('cycle.completed', (e) => e.vm === done.vm, 30_000);
    const job = await h.sim.github.job(id);
    expect(job, `job ${id}`).toMatchObject({ status: 'completed', conclusion });
    expect(h.of('job.started', (e) => e.job === job.name), `starts of ${job.name}`).toHaveLength(1);
    expect(h.of('job.completed', (e) => e.job === job.name), `completions of ${job.name}`).toHaveLength(1);
  }
}

/** Enqueues `count` short jobs and waits until each completed exactly once. */
export async function runJobs(h: Harness, count: number, durationMs = 300, timeoutMs = 60_000): Promise<number[]> {
  const ids = await h.sim.enqueue(count, { durationMs });
  const names = new Set(await Promise.all(ids.map(async (id) => (await h.sim.github.job(id)).name)));
  await h.waitForCount('job.completed', names.size, (e) => names.has(e.job), timeoutMs);
  await expectEachJobOnce(h, ids);
  return ids;
}

/** Shuts down (drain) and expects nothing of ours left: no VM, no runner registration. */
export async function expectCleanShutdown(h: Harness): Promise<void> {
  expect(await h.shutdown('drain')).toEqual({ vms: [], runners: [] });
}

/** Kills a simulated VM's guest (the "machine" dies; `tart run` reports the error stop). */
export function killGuest(h: Harness, vm: string): number[] {
  const pids = h.sim.tart.processes().filter((pid) => {
    const env = processEnv(pid);
    const spec = env?.get('TART_SIM_GUEST_SPEC');
    return env?.has('TART_SIM_GUEST_MAIN') && spec !== undefined && (JSON.parse(spec) as { vmName?: string }).vmName === vm;
  });
  if (pids.length === 0) throw new Error(`no guest process found for ${vm}`);
  signalAll(pids, 'SIGKILL');
  return pids;
}

/** REST requests Ekiden made (the fake's request log without the runner channel and config.sh). */
export async function restRequests(h: Harness) {
  return (await h.sim.github.requests()).filter((r) => !r.path.startsWith('/_fake/'));
}
