// The in-memory log the UI reads (telemetry.md §5.3): a fixed ring of entries with a monotonic seq.
import type { LogEntry } from '../events/types';

export const LOG_BUFFER_CAPACITY = 50_000;

export interface LogBufferOptions {
  capacity?: number;
  /** Applied to every text before it is stored, so nothing unredacted sits in the buffer. */
  redact?: (text: string) => string;
}

export interface TailQuery {
  /** Only entries with a greater seq; 0 or absent = from the oldest kept. */
  sinceSeq?: number;
  /** At most this many, the newest ones. Absent = all that match. */
  limit?: number;
}

export class LogBuffer {
  readonly capacity: number;
  private readonly slots: (LogEntry | undefined)[];
  private readonly redact?: (text: string) => string;
  /** Index in `slots` of the next write. */
  private next = 0;
  private count = 0;
  private seq = 0;

  constructor(options: LogBufferOptions = {}) {
    this.capacity = options.capacity ?? LOG_BUFFER_CAPACITY;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.slots = new Array(this.capacity);
    this.redact = options.redact;
  }

  /** Stores an entry under the next seq (1, 2, …), dropping the oldest when full. */
  append(entry: Omit<LogEntry, 'seq'>): LogEntry {
    const stored: LogEntry = { ...entry, seq: ++this.seq, text: this.redact ? this.redact(entry.text) : entry.text };
    this.slots[this.next] = stored;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    return stored;
  }

  /** The newest `limit` entries with seq > sinceSeq, oldest first. O(limit). */
  tail(query: TailQuery = {}): LogEntry[] {
    const since = Math.max(query.sinceSeq ?? 0, this.firstSeq - 1);
    let n = Math.max(0, this.seq - since);
    if (query.limit !== undefined) n = Math.min(n, Math.max(0, Math.floor(query.limit)));
    const out: LogEntry[] = new Array(n);
    // Seqs are contiguous, so the newest n entries are the n slots before `next`.
    for (let i = 0; i < n; i++) {
      out[i] = this.slots[(this.next - n + i + this.capacity) % this.capacity]!;
    }
    return out;
  }

  /** The seq of the newest entry; 0 when empty. */
  get lastSeq(): number {
    return this.seq;
  }

  /** The seq of the oldest entry kept; lastSeq + 1 when empty. */
  get firstSeq(): number {
    return this.seq - this.count + 1;
  }

  get size(): number {
    return this.count;
  }
}
