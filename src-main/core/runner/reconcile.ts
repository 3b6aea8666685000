import { parseVmName } from '../host/tart/vm-name';
import type { SlotDeps } from './ports';

export interface ReconcilerDeps extends SlotDeps {
  hostId: string;
  /** VMs a live slot owns right now: never touched. */
  ownedVms: () => Set<string>;
  /** Runner names a live slot owns right now: never touched. */
  ownedRunners: () => string[];
}

/**
 * Desired state vs reality (field-failures #1, #11, #23, #28): VMs named `ekiden-<host>-*` that no
 * slot owns are stopped and deleted; offline, idle runners this host registered are deleted.
 */
export class Reconciler {
  /** VMs reaped here: their runners are dead although GitHub may still show them online or busy. */
  private readonly reaped = new Set<string>();

  constructor(private readonly deps: ReconcilerDeps) {}

  /** Runners of reaped VMs may still be registered: sweep again soon rather than at the next interval. */
  get deadRunnersPending(): boolean {
    return this.reaped.size > 0;
  }

  async reapVms(): Promise<string[]> {
    const { backend, bus, clock, logger } = this.deps;
    const all = await backend.list();
    const vms = all.filter((v) => v.source === 'local');
    const owned = this.deps.ownedVms();
    // Digest entries only: tag entries are links to them and would count the same bytes twice.
    const ociCacheBytes = all.filter((v) => v.source === 'oci' && v.name.includes('@sha256:')).reduce((sum, v) => sum + v.sizeGb * 1e9, 0);
    bus.emit({
      type: 'vm.inventory', at: clock.now(),
      vms: vms.map((v) => ({ name: v.name, owner: parseVmName(v.name) ? 'ekiden' : 'other', state: v.state })),
      ociCacheBytes,
    });
    const orphans = vms.filter((v) => parseVmName(v.name)?.host === this.deps.hostId && !owned.has(v.name));
    for (const vm of orphans) {
      logger.log('warn', `removing leftover VM ${vm.name} (${vm.state}) that no slot owns`, { scope: 'core', vm: vm.name });
      if (vm.running) await backend.stop(vm.name, { timeoutSeconds: 5 });
      await backend.delete(vm.name);
      this.reaped.add(vm.name);
    }
    return orphans.map((v) => v.name);
  }

  async sweepRunners(): Promise<string[]> {
    const { github, logger } = this.deps;
    const prefix = `ekiden-${this.deps.hostId}-`;
    const runners = await github.listRunners({ namePrefix: prefix });
    // A runner whose VM is gone is dead although GitHub may count it online for a while (a teardown
    // whose DELETE failed): listed before ownership is read, like the runners.
    const vms = (await this.deps.backend.list()).filter((v) => v.source === 'local').map((v) => v.name);
    // Read ownership after listing, so a runner minted meanwhile is never mistaken for a leftover.
    const owned = new Set(this.deps.ownedRunners());
    const removed: string[] = [];
    // A runner is named after its VM (`<vm>` or `<vm>-<n>`).
    const ofVm = (name: string, vm: string) => name === vm || name.startsWith(`${vm}-`);
    const ofReapedVm = (name: string) => [...this.reaped].some((vm) => ofVm(name, vm));
    const vmGone = (name: string) => !vms.some((vm) => ofVm(name, vm));
    for (const vm of this.reaped) if (!runners.some((r) => r.name === vm || r.name.startsWith(`${vm}-`))) this.reaped.delete(vm);
    for (const runner of runners) {
      if (!runner.name.startsWith(prefix) || owned.has(runner.name)) continue;
      // An online runner is left alone unless its VM is reaped, or gone while the runner is idle;
      // GitHub answers 422 while it still counts it busy.
      const dead = ofReapedVm(runner.name) || (!runner.busy && vmGone(runner.name));
      if (!dead && (runner.status !== 'offline' || runner.busy)) continue;
      const outcome = await github.deleteRunner(runner.id, { reason: 'sweep', name: runner.name });
      if (outcome !== 'busy') removed.push(runner.name);
      logger.log('info', `swept stale runner registration ${runner.name} (${outcome})`, { scope: 'github' });
    }
    return removed;
  }
}
