// Pushes wait until the renderer says it is ready (podman-desktop's ready queue): a page that is
// still loading would drop them. A reload or crash closes the gate again.
import type { PushChannel } from '../../ipc/channels';
import type { PushPayloads } from '../../ipc/contract';

export type Deliver = <P extends PushChannel>(channel: P, payload: PushPayloads[P]) => void;

interface Queued {
  channel: PushChannel;
  payload: unknown;
}

export class PushGate {
  private open = false;
  private queue: Queued[] = [];

  /** `maxQueued`: older pushes are dropped beyond it; the renderer notices the gap and reloads. */
  constructor(
    private readonly deliver: Deliver,
    private readonly maxQueued = 200,
  ) {}

  get isReady(): boolean {
    return this.open;
  }

  get queued(): number {
    return this.queue.length;
  }

  send<P extends PushChannel>(channel: P, payload: PushPayloads[P]): void {
    if (this.open) {
      this.deliver(channel, payload);
      return;
    }
    this.queue.push({ channel, payload });
    if (this.queue.length > this.maxQueued) this.queue.shift();
  }

  /** The renderer is ready: sends what waited, in order. Returns how many. */
  ready(): number {
    const waiting = this.queue;
    this.queue = [];
    this.open = true;
    for (const q of waiting) this.deliver(q.channel, q.payload as never);
    return waiting.length;
  }

  /** The page is going away (reload, crash, window closed): queue again, and forget the old page's backlog. */
  reset(): void {
    this.open = false;
    this.queue = [];
  }
}
