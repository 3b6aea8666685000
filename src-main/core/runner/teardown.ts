import { EkidenError, isEkidenError } from '../errors';
import type { EventBus } from '../events/bus';
import type { SlotState } from '../events/types';
import type { GitHubClient } from '../github/github-client';
import type { VmBackend } from '../host/vm-backend';
import { withDeadline } from '../util/async';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { CapacityGate } from './capacity';
import type { CycleContext } from './cycle-context';
import type { RunnerLauncher, SecretRegistry, SlotTimeouts } from './ports';

export interface TeardownDeps {
  slot: number;
  launcher?: RunnerLauncher;
  backend: VmBackend;
  github: GitHubClient;
  capacity: CapacityGate;
  secrets: SecretRegistry;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  timeouts: SlotTimeouts;
  /** How long to keep retrying a DELETE that answers 422 (busy) before leaving it to the sweep. */
  busyRetrySeconds: number;
  /**
   * Runs work after this teardown, off the slot's critical path (the slot awaits it before it
   * pauses or stops). The signal aborts when the slot wants it done now.
   */
  settleLater?: (runner: string, work: (hurry: AbortSignal) => Promise<void>) => void;
}

/** After its job, GitHub removes an ephemeral registration by itself; looked at after these waits, deleted only if it stayed. */
export const SETTLE_WAITS_MS = [3_000, 7_000];

/**
 * Always runs, after success, failure, drain or stop: stop and delete the VM, then make sure the
 * runner registration is gone (404), deleting it when it is not (422 = a job raced in: wait).
 * Every step is bounded and idempotent; what cannot be finished is reported and left to reconcile.
 */
export async function tearDown(c: CycleContext, deps: TeardownDeps, setState: (s: SlotState) => void): Promise<void> {
  if (!c.cloneStarted && !c.runner && !c.reserved) return;
  c.tearingDown = true;
  setState('tearing-down');
  const started = deps.clock.now();
  const log = deps.logger.child({ slot: deps.slot, vm: c.vm, scope: 'core' });
  await interruptRunningJob(c, deps, log);
  c.followController.abort();
  await c.shell?.close().catch(() => {});
  if (c.session && c.session.currentShell !== c.shell) await c.session.currentShell.close().catch(() => {});

  // The VM and the registration go in parallel: neither waits on the other, and a job racing
  // in (422) is waited for while the VM is already going.
  const release = () => {
    if (c.reserved) deps.capacity.release(c.vm);
    c.reserved = false;
  };
  // A runner that finished its job is deregistered by GitHub itself: that is confirmed later (no
  // write, no wait here), and the registration is deleted only if it stays.
  const runner = c.runner;
  const settles = runner && deps.settleLater && c.session?.hasSeen('job-completed');
  if (runner && settles) deps.settleLater!(runner.name, (hurry) => settleRegistration(runner, deps, log, hurry).then(() => undefined));
  const [vmGone, runnerGone] = await Promise.all([
    c.cloneStarted ? removeVm(c, deps, log, release) : true,
    runner && !settles ? removeRegistration(runner, deps, log) : true,
  ]);
  const ok = vmGone && runnerGone;
  release();
  for (const secret of c.secrets) deps.secrets.unregister(secret);

  deps.bus.emit({
    type: 'phase.completed', at: deps.clock.now(), slot: deps.slot, phase: 'teardown', outcome: ok ? 'ok' : 'error',
    seconds: (deps.clock.now() - started) / 1000, vm: c.vm,
  });
}

/**
 * A job cut short (stop-now, job timeout, a failure mid-job): interrupt the runner while the VM
 * still runs, so the job ends Canceled and the registration goes away instead of staying busy.
 */
async function interruptRunningJob(c: CycleContext, deps: TeardownDeps, log: Logger): Promise<void> {
  const shell = c.session?.currentShell;
  if (!c.jobStarted || !c.session || !shell || !deps.launcher?.interrupt || c.session.hasSeen('job-completed')) return;
  log.log('info', 'interrupting the runner: its job ends Canceled and its registration is removed');
  try {
    await withDeadline(deps.clock, 10_000, () => new Error('interrupt timed out'), () => deps.launcher!.interrupt!(shell));
    await Promise.race([c.session.exited, deps.clock.sleep(Math.min(20, deps.timeouts.finishing) * 1000)]);
  } catch (error) {
    log.log('warn', `could not interrupt the runner: ${(error as Error).message}`);
  }
}

/** Stops and deletes the VM; `stopped` runs once it no longer runs (its macOS guest place is free). */
async function removeVm(c: CycleContext, deps: TeardownDeps, log: Logger, stopped: () => void): Promise<boolean> {
  const { backend, clock, timeouts } = deps;
  const bounded = <T>(seconds: number, what: string, work: (signal: AbortSignal) => Promise<T>) =>
    withDeadline(clock, seconds * 1000, () => new EkidenError('teardown_failed', `${what} did not finish within ${seconds}s.`), work);
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      if (c.handle) {
        // A hard power-off is fine for an ephemeral VM (tart.md §9.7).
        await bounded(timeouts.stop + 5, 'tart stop', () => backend.stop(c.vm, { timeoutSeconds: Math.min(5, timeouts.stop) }));
        const exited = await Promise.race([c.handle.exited.then(() => true), clock.sleep(timeouts.stop * 1000).then(() => false)]);
        if (!exited) c.handle.kill();
      }
      stopped();
      await bounded(timeouts.delete, 'tart delete', () => backend.delete(c.vm));
      return true;
    } catch (error) {
      const message = isEkidenError(error) ? `${error.message}${error.detail ? ` (${error.detail})` : ''}` : String(error);
      log.log('warn', `teardown of ${c.vm} failed (attempt ${attempt}): ${message}`);
      // `delete` said the VM is running: stop again, and as a last resort kill our own child.
      if (attempt >= 2) c.handle?.kill();
    }
  }
  deps.bus.emit({
    type: 'failure', at: deps.clock.now(), slot: deps.slot, reason: 'teardown_failed', vm: c.vm, hostWide: false, phase: 'teardown',
    message: `Could not delete ${c.vm}; the reconcile loop will retry.`,
  });
  return false;
}

/** Waits for GitHub to drop a used ephemeral registration; deletes it when it does not (or when hurried). */
async function settleRegistration(runner: { id?: number; name: string }, deps: TeardownDeps, log: Logger, hurry: AbortSignal): Promise<boolean> {
  try {
    for (const wait of SETTLE_WAITS_MS) {
      if (!hurry.aborted) await deps.clock.sleep(wait, hurry).catch(() => {});
      const record = runner.id !== undefined ? await deps.github.getRunner(runner.id) : await deps.github.findRunnerByName(runner.name);
      if (!record) return true;
      if (hurry.aborted) break;
    }
  } catch (error) {
    log.log('warn', `could not look up runner ${runner.name}: ${(error as Error).message}; deleting it`);
  }
  return removeRegistration(runner, deps, log);
}

async function removeRegistration(runner: { id?: number; name: string }, deps: TeardownDeps, log: Logger): Promise<boolean> {
  const { github, clock } = deps;
  const deadline = clock.now() + deps.busyRetrySeconds * 1000;
  let delay = 1000;
  try {
    let id = runner.id;
    if (id === undefined) id = (await github.findRunnerByName(runner.name))?.id;
    if (id === undefined) return true;
    for (;;) {
      const record = await github.getRunner(id);
      if (!record) return true;
      const outcome = await github.deleteRunner(id, { reason: 'teardown', name: runner.name });
      if (outcome !== 'busy') return true;
      if (clock.now() + delay > deadline) break;
      log.log('info', `runner ${runner.name} still busy on GitHub; retrying the delete in ${delay / 1000}s`);
      await clock.sleep(delay);
      delay = Math.min(delay * 2, 30_000);
    }
    deps.bus.emit({
      type: 'failure', at: clock.now(), slot: deps.slot, reason: 'runner_delete_busy', hostWide: false, phase: 'teardown',
      message: `GitHub still reports runner ${runner.name} busy; the periodic sweep will delete it.`,
    });
  } catch (error) {
    log.log('warn', `could not confirm runner ${runner.name} is gone: ${(error as Error).message}; the sweep will retry`);
  }
  return false;
}
