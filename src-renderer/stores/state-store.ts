// The app state as main sends it: a snapshot, then batched `state:patch` pushes applied in rev
// order. A missed patch (a gap in rev) loads a fresh snapshot.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { applyStatePatch } from '../../src-main/ipc/state-patch';
import type { EkidenApi } from '../../src-main/ipc/contract';
import type { AppSnapshot, StatePatch } from '../../src-main/ipc/types';

export interface StateStore {
  snapshot: AppSnapshot | null;
  /** Why the snapshot could not be loaded (the bridge or main is gone). */
  error?: string;
  /** Snapshots loaded because a patch was missed. */
  resyncs: number;
}

export interface StateStoreHandle {
  store: StoreApi<StateStore>;
  /** Subscribes to patches and loads the snapshot; returns the unsubscribe. */
  start(): () => void;
}

export function createStateStore(api: EkidenApi): StateStoreHandle {
  const store = createStore<StateStore>(() => ({ snapshot: null, resyncs: 0 }));
  // Patches that arrive while a snapshot loads wait here, then apply on top of it.
  let waiting: StatePatch[] | null = null;

  let loading = false;
  const load = async () => {
    if (loading) return;
    loading = true;
    waiting ??= [];
    try {
      let snapshot = await api.invoke('host:snapshot');
      const queued = waiting ?? [];
      waiting = null;
      loading = false;
      for (const p of queued) snapshot = applyStatePatch(snapshot, p) ?? snapshot;
      store.setState({ snapshot, error: undefined });
    } catch (e) {
      waiting = null;
      loading = false;
      store.setState({ error: (e as Error).message });
    }
  };

  const onPatch = (patch: StatePatch) => {
    if (waiting) {
      waiting.push(patch);
      return;
    }
    const current = store.getState().snapshot;
    if (!current) return;
    const next = applyStatePatch(current, patch);
    if (next === undefined) {
      store.setState((s) => ({ resyncs: s.resyncs + 1 }));
      void load();
    } else if (next !== current) store.setState({ snapshot: next });
  };

  return {
    store,
    start() {
      const off = api.on('state:patch', onPatch);
      void load();
      return off;
    },
  };
}
