// Live logs: a virtualized list of fixed-height monospace rows that follows the tail while the view
// is at the bottom; scrolling up holds the view still and shows "Jump to live".
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useDeferredValue, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LogEntry } from '../../src-main/ipc/types';
import { formatClock } from '../format';
import { useLogs } from '../stores/context';
import { filterLogs, LEVELS, NO_FILTER, SOURCES, type LogFilter } from './log-filter';

export const LOG_ROW_HEIGHT = 18;

export function Logs() {
  const entries = useLogs((s) => s.entries);
  const lastSeq = useLogs((s) => s.lastSeq);
  const refetches = useLogs((s) => s.refetches);
  const error = useLogs((s) => s.error);
  const [filter, setFilter] = useState<LogFilter>(NO_FILTER);
  // Typing stays responsive while 20,000 lines are filtered.
  const deferredFilter = useDeferredValue(filter);
  const shown = useMemo(() => filterLogs(entries, deferredFilter), [entries, deferredFilter]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const [live, setLive] = useState(true);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LOG_ROW_HEIGHT,
    getItemKey: (i) => shown[i].seq,
    overscan: 20,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: LOG_ROW_HEIGHT,
  });
  // The view opens at the newest line; from there followOnAppend keeps it at the tail.
  useLayoutEffect(() => {
    virtualizer.scrollToEnd();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (el) setLive(el.scrollHeight - el.scrollTop - el.clientHeight <= LOG_ROW_HEIGHT);
  }, []);
  const set = (patch: Partial<LogFilter>) => setFilter((f) => ({ ...f, ...patch }));

  return (
    <section
      aria-label="Logs"
      className="logs"
      data-testid="logs"
      data-count={entries.length}
      data-first-seq={entries[0]?.seq ?? 0}
      data-last-seq={lastSeq}
      data-refetches={refetches}
    >
      <div className="toolbar">
        <label>
          Level{' '}
          <select value={filter.minLevel} onChange={(e) => set({ minLevel: e.target.value as LogFilter['minLevel'] })} aria-label="Level">
            {LEVELS.map((l) => (
              <option key={l} value={l}>{l === 'debug' ? 'all' : `${l}+`}</option>
            ))}
          </select>
        </label>
        <label>
          Source{' '}
          <select value={filter.source} onChange={(e) => set({ source: e.target.value as LogFilter['source'] })} aria-label="Source">
            <option value="all">all</option>
            {SOURCES.map((s) => (
              <option key={s} value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Slot{' '}
          <select
            value={String(filter.slot)}
            onChange={(e) => set({ slot: e.target.value === 'all' || e.target.value === 'host' ? e.target.value : Number(e.target.value) })}
            aria-label="Slot"
          >
            <option value="all">all</option>
            <option value="host">host-wide</option>
            <option value="0">0</option>
            <option value="1">1</option>
          </select>
        </label>
        <input type="search" placeholder="Search" value={filter.search} onChange={(e) => set({ search: e.target.value })} aria-label="Search logs" />
        <span className="muted" data-testid="log-count">
          {shown.length === entries.length ? `${entries.length} lines` : `${shown.length} of ${entries.length} lines`}
        </span>
        {error && <span className="error">{error}</span>}
      </div>
      <div className="log-scroll" ref={scrollRef} onScroll={onScroll} data-testid="log-scroll">
        <div className="log-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => (
            <LogRow key={item.key} entry={shown[item.index]} top={item.start} />
          ))}
        </div>
      </div>
      {!live && (
        <button
          className="jump-live"
          onClick={() => {
            virtualizer.scrollToEnd();
            setLive(true);
          }}
        >
          Jump to live ↓
        </button>
      )}
    </section>
  );
}

const LogRow = memo(function LogRow({ entry, top }: { entry: LogEntry; top: number }) {
  const where = `${entry.source}${entry.slot === undefined ? '' : `[${entry.slot}]`}`;
  return (
    <div className={`log-row level-${entry.level}`} style={{ transform: `translateY(${top}px)` }} data-seq={entry.seq}>
      <span className="ts">{formatClock(entry.ts)}</span>
      <span className="lvl">{entry.level}</span>
      <span className="src">{where}</span>
      <span className="text">{entry.text}</span>
    </div>
  );
});
