import { EkidenError } from '../errors';
import type { SlotSnapshot, SlotState } from '../events/types';
import { parseVmName } from '../host/tart/vm-name';
import type { Logger } from '../util/logger';
import type { BackoffSettings } from './backoff';
import { CapacityGate } from './capacity';
import { probeGuest, type GuestProbeResult } from './guest-probe';
import { ImageManager, type ImageSettings } from './image-manager';
import type { SlotDeps, SlotSettings } from './ports';
import { Reconciler } from './reconcile';
import { Slot, type SlotHost } from './slot';

/** Slot states in which one of our VMs has started and answered. */
const VM_UP: ReadonlySet<SlotState> = new Set<SlotState>(['connecting', 'registering', 'listening', 'running', 'finishing']);

export interface SupervisorSettings {
  slots: number;
  slot: SlotSettings;
  image: ImageSettings;
  backoff: BackoffSettings & { hostRebootAfter: number };
  reconcileIntervalSeconds: number;
  sweepIntervalMinutes: number;
  /** First wait before slots retry after a host-wide error; doubles up to hostRetryMaxSeconds. */
  hostRetrySeconds: number;
  /** Cap of that wait (default 600). */
  hostRetryMaxSeconds?: number;
}

export interface HostSnapshot {
  hostId: string;
  paused: boolean;
  draining: boolean;
  stopped: boolean;
  hostError?: { reason: string; message: string; since: number };
  slots: SlotSnapshot[];
  imageDigest?: string;
}

/**
 * Runs the host's slots: reconciles reality at start and periodically, keeps the image fresh,
 * turns host-wide failures into one pause with one message, and drains or stops on request.
 */
export class Supervisor {
  private readonly slots: Slot[] = [];
  private readonly images: ImageManager;
  private readonly capacity: CapacityGate;
  private readonly reconciler: Reconciler;
  private readonly log: Logger;
  private mode: 'idle' | 'running' | 'draining' | 'paused' | 'stopped' = 'idle';
  private hostError: HostSnapshot['hostError'];
  private hostRetryDelay: number;
  /** True while slots re-try after a host-wide error; the error stays shown until one succeeds. */
  private probing = false;
  private hostClearWaiters: (() => void)[] = [];
  private hostRetryTimer = new AbortController();
  private limitErrors = 0;
  /** Consecutive failed VM starts across all slots (field-failures #6). */
  private startFailures = 0;
  private timers = new AbortController();
  private loops: Promise<void>[] = [];
  /** The VM a guest test holds right now (reconcile must not reap it). */
  private probeVm: string | undefined;

  constructor(
    private settings: SupervisorSettings,
    private readonly deps: SlotDeps,
  ) {
    if (settings.slots < 1 || settings.slots > 2) throw new Error('vm.slots must be 1 or 2: Apple allows two macOS guests per host');
    this.log = deps.logger.child({ scope: 'core' });
    this.images = new ImageManager(settings.image, deps);
    this.capacity = new CapacityGate(deps.backend, deps.clock, 2_000);
    this.hostRetryDelay = settings.hostRetrySeconds * 1000;
    const host: SlotHost = {
      images: this.images,
      capacity: this.capacity,
      backoff: settings.backoff,
      waitForHostClear: (signal) => this.waitForHostClear(signal),
      reportHostError: (error) => this.reportHostError(error),
      noteLimitError: () => this.noteLimitError(),
      noteStartFailure: (_slot, error) => this.noteStartFailure(error),
      noteStartSucceeded: () => {
        this.limitErrors = 0;
        this.startFailures = 0;
      },
      noteHealthy: () => this.noteHealthy(),
    };
    for (let i = 0; i < settings.slots; i++) this.slots.push(new Slot(i, settings.slot, deps, host));
    this.reconciler = new Reconciler({
      ...deps,
      hostId: settings.slot.hostId,
      ownedVms: () => this.ownedVms(),
      ownedRunners: () => this.slots.flatMap((s) => [s.snapshot().runnerName, ...s.settlingRunners]).filter((n): n is string => !!n),
    });
  }

  snapshot(): HostSnapshot {
    return {
      hostId: this.settings.slot.hostId,
      paused: this.mode === 'paused',
      draining: this.mode === 'draining',
      stopped: this.mode === 'stopped',
      hostError: this.hostError,
      slots: this.slots.map((s) => s.snapshot()),
      imageDigest: this.images.inUse?.digest,
    };
  }

  /** Reconciles leftovers of an earlier run (kill -9, power cut), then starts every slot. */
  async start(): Promise<void> {
    this.mode = 'running';
    this.emitHostState();
    await this.reconciler.reapVms().catch((e) => this.log.log('warn', `startup VM reap failed: ${(e as Error).message}`));
    await this.reconciler.sweepRunners().catch((e) => this.log.log('warn', `startup runner sweep failed: ${(e as Error).message}`));
    void this.checkRunnerRelease();
    this.startSlots();
    void this.periodic();
  }

  private startSlots(): void {
    this.loops = this.slots.map((s) => s.start());
  }

  private async periodic(): Promise<void> {
    const signal = this.timers.signal;
    let lastSweep = this.deps.clock.now();
    while (!signal.aborted) {
      try {
        await this.deps.clock.sleep(this.settings.reconcileIntervalSeconds * 1000, signal);
      } catch {
        return;
      }
      await this.reconciler.reapVms().catch((e) => this.log.log('warn', `reconcile failed: ${(e as Error).message}`));
      const sweepDue = this.deps.clock.now() - lastSweep >= this.settings.sweepIntervalMinutes * 60_000;
      if (sweepDue || this.reconciler.deadRunnersPending) {
        await this.reconciler.sweepRunners().catch((e) => this.log.log('warn', `runner sweep failed: ${(e as Error).message}`));
      }
      if (sweepDue) {
        lastSweep = this.deps.clock.now();
        void this.checkRunnerRelease();
      }
      // Under a host-wide error the re-check probes the registry; a scheduled pull would only add load.
      if (this.mode === 'running' && !this.hostError) await this.images.refresh(signal);
    }
  }

  /** Pause = drain every slot; resolves when all are paused. */
  async pause(): Promise<void> {
    if (this.mode !== 'running') return;
    this.mode = 'draining';
    this.emitHostState();
    this.log.log('info', 'pausing: running jobs finish, idle runners are deregistered, nothing new starts');
    await Promise.all(this.slots.map((s) => s.drain()));
    await Promise.all(this.loops);
    this.mode = 'paused';
    this.emitHostState();
  }

  async resume(): Promise<void> {
    if (this.mode === 'running') {
      // The operator says the cause is fixed: re-check a host-wide error now, cut backoff waits short
      // and restart slots whose breaker opened.
      if (this.hostError) {
        this.hostRetryTimer.abort();
        this.releaseHostWaiters();
      }
      this.slots.forEach((s) => s.poke());
      this.loops = this.slots.map((s) => s.start());
      return;
    }
    if (this.mode === 'draining') await Promise.all(this.loops);
    this.mode = 'running';
    this.clearHostError();
    this.emitHostState();
    this.log.log('info', 'resumed');
    this.startSlots();
  }

  /**
   * The operator's "Restart" for one slot: ends its backoff wait, or restarts it after its circuit
   * breaker opened. A slot in a cycle is left alone (settings apply between cycles anyway).
   */
  restartSlot(index: number): void {
    const slot = this.slots[index];
    if (!slot) throw new RangeError(`there is no slot ${index} (this host runs ${this.slots.length})`);
    if (this.mode !== 'running') return;
    slot.poke();
    this.loops[index] = slot.start();
  }

  /** Applies a new configuration between cycles (never mid-job). */
  updateSettings(settings: SupervisorSettings): void {
    this.settings = settings;
    this.images.update(settings.image);
    for (const slot of this.slots) slot.updateSettings(settings.slot);
  }

  /**
   * Ends the supervisor. `drain` lets running jobs finish; `now` cancels them. Either way every VM
   * and runner registration of ours is removed before this resolves.
   */
  async shutdown(how: 'drain' | 'now'): Promise<void> {
    if (how === 'drain' && this.mode === 'running') {
      this.mode = 'draining';
      this.emitHostState();
      await Promise.all(this.slots.map((s) => s.drain()));
    }
    this.mode = 'stopped';
    this.hostRetryTimer.abort();
    this.hostClearWaiters.splice(0).forEach((w) => w());
    await Promise.all(this.slots.map((s) => s.stopNow()));
    await Promise.all(this.loops);
    this.timers.abort();
    await this.lastCleanup('VM reap', () => this.reconciler.reapVms());
    await this.lastCleanup('runner sweep', () => this.reconciler.sweepRunners());
    this.emitHostState();
  }

  /** The last reap or sweep: one failed tart or GitHub call must not leave a VM or registration behind. */
  private async lastCleanup(what: string, work: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return;
      } catch (e) {
        this.log.log('warn', `final ${what} failed (attempt ${attempt} of 3): ${(e as Error).message}`);
        if (attempt >= 3) return;
        await this.deps.clock.sleep(attempt * 1000);
      }
    }
  }

  /** The newest runner release, for the runner-version age (GitHub refuses old runners after ~30 days). */
  private async checkRunnerRelease(): Promise<void> {
    try {
      const version = await this.deps.github.latestRunnerVersion();
      if (version) this.deps.bus.emit({ type: 'runner.latest', at: this.deps.clock.now(), version });
    } catch (e) {
      this.log.log('debug', `could not read the latest runner version: ${(e as Error).message}`);
    }
  }

  private ownedVms(): Set<string> {
    const owned = new Set(this.slots.map((s) => s.snapshot().vm).filter((n): n is string => !!n));
    if (this.probeVm) owned.add(this.probeVm);
    return owned;
  }

  /**
   * Boots a throwaway VM and logs into it with the current guest settings ("Test connection" when no
   * slot has a VM up). One at a time; refused once the host is stopped.
   */
  async probeGuest(signal: AbortSignal): Promise<GuestProbeResult> {
    if (this.mode === 'stopped') throw new EkidenError('vm_start_failed', 'Ekiden is stopping; start it again to test the guest login.');
    if (this.probeVm) throw new EkidenError('vm_start_failed', 'A guest test is already running; wait for its result.');
    return probeGuest(
      { ...this.deps, images: this.images, capacity: this.capacity, onVm: (vm) => (this.probeVm = vm) },
      this.settings.slot,
      signal,
    );
  }

  private emitHostState(): void {
    this.deps.bus.emit({
      type: 'host.state', at: this.deps.clock.now(), paused: this.mode === 'paused' || this.mode === 'stopped',
      draining: this.mode === 'draining', hostError: this.hostError && { reason: this.hostError.reason as EkidenError['reason'], message: this.hostError.message },
      slots: this.slots.length,
    });
  }

  private reportHostError(error: EkidenError): void {
    const again = this.hostError?.reason === error.reason;
    const probeFailed = this.probing;
    this.probing = false;
    if (again) {
      // A failed re-check waits longer; another slot's report of the same episode changes nothing.
      if (probeFailed) this.scheduleHostRetry();
      return;
    }
    this.hostError = { reason: error.reason, message: error.message, since: this.deps.clock.now() };
    this.log.log('error', `host-wide problem, all slots wait: ${error.reason}: ${error.message}`);
    this.emitHostState();
    this.scheduleHostRetry();
  }

  private scheduleHostRetry(): void {
    this.hostRetryTimer.abort();
    this.hostRetryTimer = new AbortController();
    const delay = this.hostRetryDelay;
    this.hostRetryDelay = Math.min(this.hostRetryDelay * 2, (this.settings.hostRetryMaxSeconds ?? 600) * 1000);
    this.deps.clock.sleep(delay, this.hostRetryTimer.signal).then(
      () => {
        // Let the slots try again: if the cause persists, the first failure reports it again.
        this.log.log('info', `re-checking the host-wide problem (${this.hostError?.reason})`);
        this.releaseHostWaiters();
      },
      () => {},
    );
  }

  private clearHostError(): void {
    if (this.hostError) this.log.log('info', `host-wide problem resolved: ${this.hostError.reason}`);
    this.hostError = undefined;
    this.emitHostState();
    this.hostRetryDelay = this.settings.hostRetrySeconds * 1000;
    this.hostRetryTimer.abort();
    this.releaseHostWaiters();
  }

  private releaseHostWaiters(): void {
    this.probing = true;
    this.hostClearWaiters.splice(0).forEach((w) => w());
  }

  private waitForHostClear(signal: AbortSignal): Promise<void> {
    if (!this.hostError || this.probing || this.mode === 'stopped') return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.hostClearWaiters.push(resolve);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  private noteLimitError(): void {
    // A reservation is not a running VM: two slots failing side by side still count (cirruslabs/tart#1217).
    const oursRunning = this.slots.some((s) => VM_UP.has(s.snapshot().state));
    if (oursRunning) return;
    this.limitErrors += 1;
    if (this.limitErrors < this.settings.backoff.hostRebootAfter) return;
    // Still leaking after a re-check: keep waiting under the same message.
    if (this.hostError?.reason === 'host_reboot_needed') {
      this.reportHostError(new EkidenError('host_reboot_needed', this.hostError.message));
      return;
    }
    this.deps.bus.emit({
      type: 'failure', at: this.deps.clock.now(), reason: 'host_reboot_needed', hostWide: true,
      message: `macOS refuses to start VMs ("exceeds the system limit") although none of ours run: reboot this Mac (cirruslabs/tart#1217).`,
    });
    this.reportHostError(
      new EkidenError('host_reboot_needed', 'macOS refuses to start VMs ("exceeds the system limit") although none of ours run: reboot this Mac.'),
    );
  }

  /**
   * VMs that fail to start on every slot, one after another, point at the host (degraded VZ state,
   * field-failures #6): one host-level error pauses all slots instead of per-slot retries.
   */
  private noteStartFailure(error: EkidenError): void {
    this.startFailures += 1;
    if (this.startFailures < this.settings.backoff.hostRebootAfter) return;
    this.reportHostError(
      new EkidenError(
        'vm_start_failed',
        `VMs failed to start ${this.startFailures} times in a row on this host; all slots wait. Rebooting the Mac usually helps. Last error: ${error.detail ?? error.message}`,
      ),
    );
  }

  /** Clears a host-wide error once any cycle gets through. */
  noteHealthy(): void {
    this.limitErrors = 0;
    this.startFailures = 0;
    if (this.hostError) this.clearHostError();
  }

  /** Parses a VM name of ours (for callers that list VMs). */
  static isOurs(hostId: string, name: string): boolean {
    return parseVmName(name)?.host === hostId;
  }
}
