// The renderer's stores and API, handed to views through React context (tests build their own).
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { EkidenApi } from '../../src-main/ipc/contract';
import type { LogStore, LogStoreHandle } from './log-store';
import type { StateStore, StateStoreHandle } from './state-store';

export interface Ekiden {
  api: EkidenApi;
  state: StateStoreHandle;
  logs: LogStoreHandle;
}

const EkidenContext = createContext<Ekiden | null>(null);

export function EkidenProvider({ value, children }: { value: Ekiden; children: ReactNode }) {
  return <EkidenContext.Provider value={value}>{children}</EkidenContext.Provider>;
}

export function useEkiden(): Ekiden {
  const value = useContext(EkidenContext);
  if (!value) throw new Error('useEkiden outside EkidenProvider');
  return value;
}

export function useAppState<T>(selector: (s: StateStore) => T): T {
  return useStore(useEkiden().state.store, selector);
}

export function useLogs<T>(selector: (s: LogStore) => T): T {
  return useStore(useEkiden().logs.store, selector);
}
