// What the latest events say about the host, for the observable instruments: the last value of each
// fact, folded from the bus. It records nothing the events do not carry.
import type { EventBus } from '../events/bus';
import type { EkidenEvent, EventOf, SlotState } from '../events/types';

export class FleetView {
  /** Slot index -> state; slots the supervisor announced but that never moved are idle. */
  readonly slotStates = new Map<number, SlotState>();
  paused = false;
  draining = false;
  vms: EventOf<'vm.inventory'>['vms'] | undefined;
  ociCacheBytes: number | undefined;
  image: { ref: string; digest: string } | undefined;
  checks: EventOf<'host.checks'>['checks'] | undefined;
  /** Rate-limit resource -> the last `x-ratelimit-remaining`. */
  readonly rateLimits = new Map<string, number>();

  apply(e: EkidenEvent): void {
    switch (e.type) {
      case 'host.state':
        this.paused = e.paused;
        this.draining = e.draining;
        for (let i = 0; i < e.slots; i++) if (!this.slotStates.has(i)) this.slotStates.set(i, 'idle');
        return;
      case 'slot.state':
        this.slotStates.set(e.slot, e.state);
        return;
      case 'vm.inventory':
        this.vms = e.vms;
        if (e.ociCacheBytes !== undefined) this.ociCacheBytes = e.ociCacheBytes;
        return;
      case 'image.current':
        this.image = { ref: e.ref, digest: e.digest };
        return;
      case 'host.checks':
        this.checks = e.checks;
        return;
      case 'github.call':
        if (e.rateLimit) this.rateLimits.set(e.rateLimit.resource, e.rateLimit.remaining);
        return;
    }
  }

  follow(bus: EventBus): () => void {
    return bus.subscribe((e) => this.apply(e));
  }
}
