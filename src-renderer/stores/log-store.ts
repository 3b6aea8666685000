// The live log (telemetry.md §5.3): `logs:tail` first, then `logs:append` batches with seq > last.
// A gap in seq fetches the missing tail. Capped at LOG_CAP lines, trimmed from the front in the
// same `set` that appends, so a render never sees more than the cap. Batches are applied together
// at most every LOG_FLUSH_MS, so the view renders at most ten times a second however fast lines
// come, and it renders nothing from the socket's own task.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EkidenApi } from '../../src-main/ipc/contract';
import type { LogBatch, LogEntry } from '../../src-main/ipc/types';

export const LOG_CAP = 20_000;
/** Lines are applied at most this often: ten renders a second follow any rate (§5.3 batches are 150 ms). */
const LOG_FLUSH_MS = 100;

export interface LogStore {
  entries: LogEntry[];
  /** The newest seq held; 0 before the first load. */
  lastSeq: number;
  /** `logs:tail` calls made because a batch did not continue from lastSeq. */
  refetches: number;
  loaded: boolean;
  error?: string;
}

export interface LogStoreHandle {
  store: StoreApi<LogStore>;
  start(): () => void;
  /** Appends entries (seq ascending); public for tests and the bridge's own use. */
  append(entries: LogEntry[]): void;
}

/** Runs `flush` soon, but not within `LOG_FLUSH_MS` of the last run. */
function throttled(flush: () => void): { schedule(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = -Infinity;
  const cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return {
    schedule() {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        last = performance.now();
        flush();
      }, Math.max(0, last + LOG_FLUSH_MS - performance.now()));
    },
    cancel,
  };
}

export function createLogStore(api: EkidenApi, cap = LOG_CAP): LogStoreHandle {
  const store = createStore<LogStore>(() => ({ entries: [], lastSeq: 0, refetches: 0, loaded: false }));
  // Batches that arrive while a tail loads wait here.
  let waiting: LogEntry[][] | null = null;
  // Accepted lines (contiguous after lastSeq) not yet in the store.
  let pending: LogEntry[] = [];

  const add = (fresh: LogEntry[]) => {
    if (fresh.length === 0) return;
    store.setState((s) => {
      // One copy: drop the oldest before appending, so the array never exceeds the cap.
      const drop = Math.max(0, s.entries.length + fresh.length - cap);
      const entries =
        fresh.length >= cap ? fresh.slice(fresh.length - cap) : s.entries.length === 0 ? fresh : (drop > 0 ? s.entries.slice(drop) : s.entries).concat(fresh);
      return { entries, lastSeq: fresh[fresh.length - 1].seq };
    });
  };
  const flush = () => {
    const fresh = pending;
    pending = [];
    add(fresh);
  };
  const flushes = throttled(flush);
  const flushNow = () => {
    flushes.cancel();
    flush();
  };

  let loading = false;
  const fetchTail = async () => {
    // One load at a time (React's StrictMode starts the store twice).
    if (loading) return;
    loading = true;
    waiting ??= [];
    flushNow();
    try {
      const { lastSeq, loaded } = store.getState();
      const tail = await api.invoke('logs:tail', loaded ? { sinceSeq: lastSeq, limit: cap } : { limit: cap });
      const queued = waiting ?? [];
      waiting = null;
      loading = false;
      add(tail.filter((e) => e.seq > store.getState().lastSeq));
      store.setState({ loaded: true, error: undefined });
      for (const batch of queued) append(batch);
    } catch (e) {
      waiting = null;
      loading = false;
      store.setState({ error: (e as Error).message });
    }
  };

  const append = (entries: LogEntry[]) => {
    if (waiting) {
      waiting.push(entries);
      return;
    }
    const { lastSeq: held, loaded } = store.getState();
    if (!loaded) return;
    const lastSeq = pending.length > 0 ? pending[pending.length - 1].seq : held;
    const fresh = entries.filter((e) => e.seq > lastSeq);
    if (fresh.length === 0) return;
    if (fresh[0].seq !== lastSeq + 1) {
      // Lines were missed (the push queue overflowed, or a batch was lost): fetch them.
      flushNow();
      store.setState((s) => ({ refetches: s.refetches + 1 }));
      waiting = [entries];
      void fetchTail();
      return;
    }
    // More than a full store waiting (a long stall): only the newest `cap` can ever show.
    pending = pending.length === 0 ? fresh : pending.concat(fresh);
    if (pending.length > cap) pending = pending.slice(pending.length - cap);
    flushes.schedule();
  };

  return {
    store,
    append,
    start() {
      const off = api.on('logs:append', (batch: LogBatch) => append(batch.entries));
      void fetchTail();
      return () => {
        off();
        flushNow();
      };
    },
  };
}
