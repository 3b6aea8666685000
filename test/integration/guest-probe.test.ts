// "Test connection" for the guest when no slot has a VM up: a throwaway VM is booted from the image,
// logged into, proven to be ours by its MAC, and removed; nothing is registered with GitHub.
import { afterEach, describe, expect, it } from 'vitest';
import { isEkidenError } from '../../src-main/core/errors';
import { PROBE_SLOT } from '../../src-main/core/runner/guest-probe';
import { parseVmName } from '../../src-main/core/host/tart/vm-name';
import { startHarness, type Harness } from './support/harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

describe('guest probe (Supervisor.probeGuest)', () => {
  it('boots a VM from the image, logs in, removes it; reconcile leaves it alone meanwhile', async () => {
    h = await startHarness({ slots: 1 });
    await h.waitFor('slot.state', (e) => e.state === 'listening');
    await h.host.pause();
    expect(await h.sim.leftovers()).toEqual({ vms: [], runners: [] });
    const reconcilesBefore = h.of('vm.inventory').length;

    const result = await h.host.supervisor.probeGuest(AbortSignal.timeout(90_000));

    expect(parseVmName(result.vm)).toMatchObject({ host: h.sim.hostId, slot: PROBE_SLOT });
    expect(result.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(result.ip).toMatch(/^127\./);
    // The probe VM was never reaped as a leftover although reconcile ran while it lived.
    expect(h.logText()).not.toMatch(new RegExp(`removing leftover VM ${result.vm}`));
    expect(h.of('vm.inventory').length).toBeGreaterThan(reconcilesBefore);
    expect(await h.sim.leftovers()).toEqual({ vms: [], runners: [] });
    expect((await h.host.backend.list()).map((v) => v.name)).not.toContain(result.vm);
    // Not a slot's cycle: no phase or failure event, so metrics and history stay the slots'.
    expect(h.of('phase.completed', (e) => e.vm === result.vm)).toEqual([]);
  });

  it('a refused login fails with ssh_auth and still removes the VM', async () => {
    h = await startHarness({ slots: 1, start: false });
    h.sim.tart.setFault('ssh.auth_fail');
    const error = await h.host.supervisor.probeGuest(AbortSignal.timeout(90_000)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEkidenError(error) && error.reason).toBe('ssh_auth');
    expect(await h.sim.leftovers()).toEqual({ vms: [], runners: [] });
  });

  it('waits for a place under the two-VM limit, then gives up naming the cause', async () => {
    h = await startHarness({ slots: 2 });
    await h.waitForCount('slot.state', 2, (e) => e.state === 'listening');
    const error = await h.host.supervisor.probeGuest(AbortSignal.timeout(90_000)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEkidenError(error) && error.reason).toBe('vm_limit_exceeded');
    expect((error as Error).message).toMatch(/Both macOS guest places are in use/);
    // The slots kept their VMs and no probe VM was created.
    const names = (await h.host.backend.list()).map((v) => v.name);
    expect(names.filter((n) => parseVmName(n)?.slot === PROBE_SLOT)).toEqual([]);
    expect(h.host.snapshot().slots.map((s) => s.state)).toEqual(['listening', 'listening']);
  });
});
