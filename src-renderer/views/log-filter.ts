// The log view's filter, kept pure so it runs in useMemo and in tests.
import type { LogEntry } from '../../src-main/ipc/types';

export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const SOURCES = ['host', 'tart', 'guest', 'runner'] as const;

export interface LogFilter {
  /** Lowest level shown. */
  minLevel: (typeof LEVELS)[number];
  source: (typeof SOURCES)[number] | 'all';
  /** A slot number, 'host' for lines of no slot, or 'all'. */
  slot: 'all' | 'host' | number;
  /** Case-insensitive substring of the text, VM or job. */
  search: string;
}

export const NO_FILTER: LogFilter = { minLevel: 'debug', source: 'all', slot: 'all', search: '' };

export function filterLogs(entries: readonly LogEntry[], f: LogFilter): readonly LogEntry[] {
  const min = LEVELS.indexOf(f.minLevel);
  const needle = f.search.trim().toLowerCase();
  if (min === 0 && f.source === 'all' && f.slot === 'all' && !needle) return entries;
  return entries.filter(
    (e) =>
      LEVELS.indexOf(e.level) >= min &&
      (f.source === 'all' || e.source === f.source) &&
      (f.slot === 'all' || (f.slot === 'host' ? e.slot === undefined : e.slot === f.slot)) &&
      (!needle || e.text.toLowerCase().includes(needle) || !!e.vm?.toLowerCase().includes(needle) || !!e.job?.toLowerCase().includes(needle)),
  );
}
