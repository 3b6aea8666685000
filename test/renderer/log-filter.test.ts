// The log view's filter: carrying the last result forward gives exactly what filtering all the
// held lines gives, through appends, front trims, gaps and filter changes.
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src-main/ipc/types';
import { filterLogs, indexAfterSeq, NO_FILTER, refilter, type Filtered, type LogFilter } from '../../src-renderer/views/log-filter';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const SOURCES = ['host', 'tart', 'guest', 'runner'] as const;

function entry(seq: number): LogEntry {
  return {
    seq,
    ts: 1_700_000_000_000 + seq,
    level: LEVELS[seq % 4],
    scope: 'app',
    source: SOURCES[(seq >> 2) % 4],
    slot: seq % 3 === 2 ? undefined : seq % 3,
    vm: seq % 5 === 0 ? `ekiden-mini-${seq % 2}-Ab12` : undefined,
    text: `line ${seq} ${seq % 7 === 0 ? 'Compiling Foo.swift' : 'npm ci'}`,
  } as LogEntry;
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i));

const filters: [string, LogFilter][] = [
  ['no filter', NO_FILTER],
  ['warn and above', { ...NO_FILTER, minLevel: 'warn' }],
  ['one source', { ...NO_FILTER, source: 'runner' }],
  ['host-wide lines', { ...NO_FILTER, slot: 'host' }],
  ['slot 1', { ...NO_FILTER, slot: 1 }],
  ['search, any case, in the text', { ...NO_FILTER, search: ' compiling ' }],
  ['search in the VM name', { ...NO_FILTER, search: 'AB12' }],
  ['everything at once', { minLevel: 'info', source: 'guest', slot: 0, search: 'line' }],
];

describe('refilter', () => {
  it.each(filters)('%s: as the store appends and trims, equals filtering every line held', (_, filter) => {
    let held: LogEntry[] = range(1, 300);
    let result: Filtered | undefined;
    // Appends (some trimming the front as the cap would), one that skips seqs (a lost stretch the
    // main buffer no longer had), and one that replaces everything held.
    const steps: ((h: LogEntry[]) => LogEntry[])[] = [
      (h) => h.concat(range(301, 340)),
      (h) => h.slice(25).concat(range(341, 365)),
      (h) => h,
      (h) => h.slice(100).concat(range(366, 366)),
      (h) => h.concat(range(400, 450)),
      (h) => h.slice(h.length - 10).concat(range(451, 460)),
      () => range(900, 1000),
    ];
    result = refilter(result, held, filter);
    expect(result.shown).toEqual(filterLogs(held, filter));
    for (const step of steps) {
      held = step(held);
      const before = result;
      result = refilter(result, held, filter);
      expect(result.shown.map((e) => e.seq)).toEqual(filterLogs(held, filter).map((e) => e.seq));
      if (held === before.source) expect(result).toBe(before);
    }
  });

  it('a changed filter filters all the lines held again', () => {
    const held = range(1, 200);
    const warn = refilter(undefined, held, { ...NO_FILTER, minLevel: 'warn' });
    const runner = refilter(warn, held, { ...NO_FILTER, source: 'runner' });
    expect(runner.shown).toEqual(filterLogs(held, { ...NO_FILTER, source: 'runner' }));
    expect(refilter(runner, held, NO_FILTER).shown).toBe(held);
  });

  it('finds the first line after a seq by bisection', () => {
    const held = [entry(3), entry(5), entry(9)];
    expect([0, 3, 4, 5, 8, 9, 10].map((s) => indexAfterSeq(held, s))).toEqual([0, 1, 1, 2, 2, 3, 3]);
    expect(indexAfterSeq([], 1)).toBe(0);
  });
});
