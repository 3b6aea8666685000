// Streams the ring buffer's new entries to the window in batches (telemetry.md §5.3): every 150 ms
// or 500 lines, whichever comes first; never one message per line.
import type { EventBus } from '../../core/events/bus';
import type { LogEntry } from '../../core/events/types';
import type { LogBatch } from '../../ipc/types';

export const LOG_BATCH_MS = 150;
export const LOG_BATCH_LINES = 500;

export interface LogFeedOptions {
  bus: EventBus;
  send: (batch: LogBatch) => void;
  intervalMs?: number;
  maxLines?: number;
}

export class LogFeed {
  private pending: LogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: LogFeedOptions) {
    // Bus entries come from the ring buffer, so they are redacted already.
    this.unsubscribe = opts.bus.on('log', (e) => this.add(e.entry));
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    this.opts.send({ entries });
  }

  stop(): void {
    this.flush();
    this.unsubscribe();
  }

  private add(entry: LogEntry): void {
    this.pending.push(entry);
    if (this.pending.length >= (this.opts.maxLines ?? LOG_BATCH_LINES)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.opts.intervalMs ?? LOG_BATCH_MS);
  }
}
