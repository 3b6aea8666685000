// Live logs: a windowed list of fixed-height monospace rows that follows the tail while the view
// is at the bottom; scrolling up holds the view still and shows "Jump to live". Built to take
// 5,000 lines/s (telemetry.md §5.3): the store applies new lines at most ten times a second, the
// filter only looks at new lines, and the drawn rows are keyed by their place in the window, so an
// update rewrites the text of the same few dozen DOM rows instead of replacing them.
import { memo, useDeferredValue, useMemo, useRef, useState } from 'react';
import type { LogEntry } from '../../src-main/ipc/types';
import { formatClock } from '../format';
import { useLogs } from '../stores/context';
import { LEVELS, NO_FILTER, refilter, SOURCES, type Filtered, type LogFilter } from './log-filter';
import { LOG_ROW_HEIGHT, useLogWindow } from './log-window';

export function Logs() {
  const entries = useLogs((s) => s.entries);
  const lastSeq = useLogs((s) => s.lastSeq);
  const refetches = useLogs((s) => s.refetches);
  const error = useLogs((s) => s.error);
  const [filter, setFilter] = useState<LogFilter>(NO_FILTER);
  // Typing stays responsive while 20,000 lines are filtered.
  const deferredFilter = useDeferredValue(filter);
  // The last result carries over, so a batch costs its own lines (see refilter).
  const filtered = useRef<Filtered>(undefined);
  const shown = useMemo(() => (filtered.current = refilter(filtered.current, entries, deferredFilter)).shown, [entries, deferredFilter]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const view = useLogWindow(scrollRef, shown);
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
      {/* No scroll anchoring: the window sets the offset itself. */}
      <div className="log-scroll" ref={scrollRef} onScroll={view.onScroll} data-testid="log-scroll" data-live={view.live} style={{ overflowAnchor: 'none' }}>
        <div className="log-canvas" style={{ height: view.total }}>
          <div className="log-window" style={{ transform: `translateY(${view.first * LOG_ROW_HEIGHT}px)` }}>
            {shown.slice(view.first, view.last).map((entry, i) => (
              <LogRow key={i} entry={entry} />
            ))}
          </div>
        </div>
      </div>
      {!view.live && (
        <button className="jump-live" onClick={view.jumpToLive}>
          Jump to live ↓
        </button>
      )}
    </section>
  );
}

// Plain inline text padded to columns (the font is monospace): cheap to lay out, and a copied
// selection reads as one plain line per row.
const LogRow = memo(function LogRow({ entry }: { entry: LogEntry }) {
  const where = `${entry.source}${entry.slot === undefined ? '' : `[${entry.slot}]`}`;
  return (
    <div className={`log-row level-${entry.level}`} data-seq={entry.seq}>
      <span className="ts">{formatClock(entry.ts)}</span> <span className="lvl">{entry.level.toUpperCase().padEnd(5)}</span> <span className="src">{where.padEnd(9)}</span> {entry.text}
    </div>
  );
});
