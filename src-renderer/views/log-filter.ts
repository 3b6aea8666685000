// The log view's filter, kept pure so it runs in useMemo and in tests. `refilter` carries the last
// result forward so a batch of new lines costs the batch, not the 20,000 lines held.
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

/** The test a line must pass, or null when every line passes. */
export function logMatcher(f: LogFilter): ((e: LogEntry) => boolean) | null {
  const min = LEVELS.indexOf(f.minLevel);
  const needle = f.search.trim().toLowerCase();
  if (min === 0 && f.source === 'all' && f.slot === 'all' && !needle) return null;
  return (e) =>
    LEVELS.indexOf(e.level) >= min &&
    (f.source === 'all' || e.source === f.source) &&
    (f.slot === 'all' || (f.slot === 'host' ? e.slot === undefined : e.slot === f.slot)) &&
    (!needle || e.text.toLowerCase().includes(needle) || !!e.vm?.toLowerCase().includes(needle) || !!e.job?.toLowerCase().includes(needle));
}

export function filterLogs(entries: readonly LogEntry[], f: LogFilter): readonly LogEntry[] {
  const match = logMatcher(f);
  return match ? entries.filter(match) : entries;
}

/** One filtering of `source` by `filter`: what the view shows. */
export interface Filtered {
  source: readonly LogEntry[];
  filter: LogFilter;
  shown: readonly LogEntry[];
}

/** Index of the first entry with seq > `seq` (entries ascend by seq). */
export function indexAfterSeq(entries: readonly LogEntry[], seq: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid].seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `filterLogs(entries, filter)`, reusing `prev` when only the lines changed: the store appends
 * newer lines and trims the oldest, so the old result minus the trimmed lines plus the new lines
 * that match is the same answer.
 */
export function refilter(prev: Filtered | undefined, entries: readonly LogEntry[], filter: LogFilter): Filtered {
  if (prev && prev.source === entries && prev.filter === filter) return prev;
  const match = logMatcher(filter);
  if (!match) return { source: entries, filter, shown: entries };
  const prevLast = prev?.source.at(-1)?.seq ?? 0;
  const last = entries.at(-1)?.seq ?? 0;
  if (!prev || prev.filter !== filter || entries.length === 0 || last < prevLast) {
    return { source: entries, filter, shown: entries.filter(match) };
  }
  const kept = prev.shown.slice(indexAfterSeq(prev.shown, entries[0].seq - 1));
  const fresh = entries.slice(indexAfterSeq(entries, prevLast)).filter(match);
  return { source: entries, filter, shown: fresh.length === 0 ? kept : kept.concat(fresh) };
}
