// The live log (telemetry.md §5.3): `logs:tail` first, then `logs:append` batches with seq > last.
// A gap in seq fetches the missing tail. Capped at LOG_CAP lines, trimmed from the front in the
// same `set` that appends, so a render never sees more than the cap.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EkidenApi } from '../../src-main/ipc/contract';
import type { LogBatch, LogEntry } from '../../src-main/ipc/types';

export const LOG_CAP = 20_000;

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

export function createLogStore(api: EkidenApi, cap = LOG_CAP): LogStoreHandle {
  const store = createStore<LogStore>(() => ({ entries: [], lastSeq: 0, refetches: 0, loaded: false }));
  // Batches that arrive while a tail loads wait here.
  let waiting: LogEntry[][] | null = null;

  const add = (fresh: LogEntry[]) => {
    if (fresh.length === 0) return;
    store.setState((s) => {
      const all = s.entries.length === 0 ? fresh : s.entries.concat(fresh);
      const entries = all.length > cap ? all.slice(all.length - cap) : all;
      return { entries, lastSeq: fresh[fresh.length - 1].seq };
    });
  };

  let loading = false;
  const fetchTail = async () => {
    // One load at a time (React's StrictMode starts the store twice).
    if (loading) return;
    loading = true;
    waiting ??= [];
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
    const { lastSeq, loaded } = store.getState();
    if (!loaded) return;
    const fresh = entries.filter((e) => e.seq > lastSeq);
    if (fresh.length === 0) return;
    if (fresh[0].seq !== lastSeq + 1) {
      // Lines were missed (the push queue overflowed, or a batch was lost): fetch them.
      store.setState((s) => ({ refetches: s.refetches + 1 }));
      waiting = [entries];
      void fetchTail();
      return;
    }
    add(fresh);
  };

  return {
    store,
    append,
    start() {
      const off = api.on('logs:append', (batch: LogBatch) => append(batch.entries));
      void fetchTail();
      return off;
    },
  };
}
