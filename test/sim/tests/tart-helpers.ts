// Shared helpers of the tart/guest simulator tests: a fresh simulator per test, bounded waits,
// and the proof that nothing outlives a test.
import fs from 'node:fs';
import { expect } from 'vitest';
import { createTartSim, type RunHandle, type TartSim, type TartSimOptions } from '../tart/index';
import { VmDir } from '../tart/vm-dir';

export const IMAGE = 'ghcr.io/acme/macos-sequoia:latest';

export const FAST: TartSimOptions = { bootDelayMs: 50, sshDelayMs: 100, agentDelayMs: 150, pullMs: 40 };

export async function newSim(opts: TartSimOptions = {}): Promise<TartSim> {
  return createTartSim({ ...FAST, ...opts });
}

/** Polls until fn returns a truthy value; fails after timeoutMs. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 30_000,
  what: string | (() => string) = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Tiny populate hook: what the image's populate would install, minus the runner. */
export function populateMinimal(extra?: (home: string) => void): (home: string) => void {
  return (home) => {
    fs.mkdirSync(`${home}/actions-runner`, { recursive: true });
    fs.writeFileSync(`${home}/actions-runner/run.sh`, '#!/bin/bash\necho runner\n', { mode: 0o755 });
    fs.writeFileSync(`${home}/.zprofile`, 'export IMAGE_PROFILE=loaded\n');
    extra?.(home);
  };
}

export async function cloneVm(sim: TartSim, name: string, image = IMAGE): Promise<void> {
  const r = await sim.runTart(['clone', image, name]);
  expect(r.code, r.stderr).toBe(0);
}

/** Starts `tart run --no-graphics` and waits until the VM holds its run lock (what `list` reads as running). */
export async function startVm(sim: TartSim, name: string, extra: string[] = []): Promise<RunHandle> {
  const h = sim.spawnTart(['run', '--no-graphics', ...extra, name]);
  const vm = new VmDir(sim.vmDir(name), name);
  try {
    await waitFor(() => {
      if (h.child.exitCode !== null) throw new Error('tart run exited');
      return vm.running();
    }, 10_000, `${name} running`);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${diagnostics(sim, name, h)}`);
  }
  return h;
}

/** What a failing VM test needs to see: tart run's output and the guest log. */
export function diagnostics(sim: TartSim, name: string, h?: RunHandle): string {
  let guestLog = '';
  try {
    guestLog = fs.readFileSync(`${sim.vmDir(name)}/.sim/guest.log`, 'utf8').slice(-2000);
  } catch {
    guestLog = '(no guest log)';
  }
  return `tart run stdout: ${JSON.stringify(h?.stdout())}\ntart run stderr: ${JSON.stringify(h?.stderr())}\nguest log:\n${guestLog}`;
}

/** Waits for the guest's own lease, then asks `tart ip` (which answers from the lease table). */
export async function guestIp(sim: TartSim, name: string): Promise<string> {
  await waitFor(() => sim.guestIp(name), 10_000, `a lease for ${name}`);
  const r = await sim.runTart(['ip', name, '--wait', '10']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

/** Cleans up and proves it: no process of this simulator left, its directory gone. */
export async function cleanupAndVerify(sim: TartSim): Promise<void> {
  await sim.cleanup();
  expect(sim.processes()).toEqual([]);
  expect(fs.existsSync(sim.root)).toBe(false);
}
