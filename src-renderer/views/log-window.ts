// Which rows of the live log to draw. Rows have one fixed height, so the window is arithmetic on
// the scroll offset. While following (at the bottom) the window is the last rows and the offset is
// written only when the list grows, so a full store taking new lines lays out and paints just the
// drawn rows, with no layout read in the update. Scrolled up, the first visible line (by seq) is
// the anchor: lines trimmed from the front move the offset so the view holds still.
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { LogEntry } from '../../src-main/ipc/types';
import { indexAfterSeq } from './log-filter';

export const LOG_ROW_HEIGHT = 18;
/** Rows drawn beyond each edge of the viewport. */
const OVERSCAN = 6;

export interface LogWindow {
  /** Rows [first, last) of `rows` are drawn, the first at `first * LOG_ROW_HEIGHT`. */
  first: number;
  last: number;
  /** The scrollable height. */
  total: number;
  live: boolean;
  jumpToLive(): void;
  onScroll(): void;
}

export function useLogWindow(ref: RefObject<HTMLElement | null>, rows: readonly LogEntry[]): LogWindow {
  const [live, setLive] = useState(true);
  const [height, setHeight] = useState(0);
  // Scrolled up: the line at the top of the view and how far it is scrolled past.
  const [anchor, setAnchor] = useState({ seq: 0, offset: 0 });
  // The offset last written or read, so an update need not read it back from layout.
  const scrollTop = useRef(0);
  // The rows last committed, for scroll events (a deferred render may not commit).
  const rowsRef = useRef(rows);
  const n = rows.length;
  const total = n * LOG_ROW_HEIGHT;
  const visible = Math.ceil(height / LOG_ROW_HEIGHT) + 1;

  let top: number;
  let first: number;
  let last: number;
  if (live) {
    top = Math.max(0, total - height);
    last = n;
    first = Math.max(0, n - visible - OVERSCAN);
  } else {
    top = Math.min(Math.max(0, total - height), indexAfterSeq(rows, anchor.seq - 1) * LOG_ROW_HEIGHT + anchor.offset);
    first = Math.max(0, Math.floor(top / LOG_ROW_HEIGHT) - OVERSCAN);
    last = Math.min(n, Math.ceil((top + height) / LOG_ROW_HEIGHT) + OVERSCAN);
  }

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);

  // Moves the view where this render drew it: to the end while following, to the anchor otherwise.
  useLayoutEffect(() => {
    rowsRef.current = rows;
    const el = ref.current;
    if (!el || height === 0 || Math.abs(scrollTop.current - top) < 1) return;
    scrollTop.current = top;
    el.scrollTop = top;
  });

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const at = el.scrollTop;
    scrollTop.current = at;
    const atEnd = el.scrollHeight - at - el.clientHeight <= LOG_ROW_HEIGHT;
    setLive(atEnd);
    if (!atEnd) {
      const row = Math.min(rowsRef.current.length - 1, Math.floor(at / LOG_ROW_HEIGHT));
      const seq = rowsRef.current[row]?.seq ?? 0;
      const offset = at - row * LOG_ROW_HEIGHT;
      setAnchor((a) => (a.seq === seq && a.offset === offset ? a : { seq, offset }));
    }
  }, [ref]);

  const jumpToLive = useCallback(() => setLive(true), []);

  return { first, last, total, live, jumpToLive, onScroll };
}
