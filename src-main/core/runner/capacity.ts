import type { VmBackend } from '../host/vm-backend';
import type { Clock } from '../util/clock';

/** Apple's licence and Virtualization.framework allow two macOS guests per host (tart.md §5). */
export const MACOS_GUEST_LIMIT = 2;

/**
 * Host-wide admission for VMs: counts every running VM (ours, other tools', leaked ones) plus our
 * own reservations, and serialises starts so two slots never race past the limit
 * (field-failures #4, #5).
 */
export class CapacityGate {
  private readonly reserved = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  lastForeignRunning = 0;

  constructor(
    private readonly backend: VmBackend,
    private readonly clock: Clock,
    private readonly pollMs: number,
    private readonly limit = MACOS_GUEST_LIMIT,
  ) {}

  /** Waits until a VM may exist for `vm`, then reserves the place until `release(vm)`. */
  async acquire(vm: string, signal: AbortSignal, onWait?: (running: string[]) => void): Promise<void> {
    const previous = this.queue;
    let done!: () => void;
    this.queue = new Promise<void>((r) => (done = r));
    try {
      await previous;
      for (;;) {
        if (signal.aborted) throw signal.reason;
        const running = (await this.backend.list()).filter((v) => v.source === 'local' && v.running).map((v) => v.name);
        // Our own leftovers count too: they hold a macOS guest until reconcile removes them.
        const foreign = running.filter((name) => !this.reserved.has(name));
        this.lastForeignRunning = foreign.length;
        if (foreign.length + this.reserved.size < this.limit) {
          this.reserved.add(vm);
          return;
        }
        onWait?.(running);
        await this.clock.sleep(this.pollMs, signal);
      }
    } finally {
      done();
    }
  }

  release(vm: string): void {
    this.reserved.delete(vm);
  }

  get reservations(): string[] {
    return [...this.reserved];
  }
}
