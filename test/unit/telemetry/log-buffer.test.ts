import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../src-main/core/events/types';
import { LOG_BUFFER_CAPACITY, LogBuffer } from '../../../src-main/core/telemetry/log-buffer';
import { REDACTED, Redactor } from '../../../src-main/core/telemetry/redact';

const line = (text: string, extra: Partial<LogEntry> = {}): Omit<LogEntry, 'seq'> => ({
  ts: 1_000, level: 'info', scope: 'core', source: 'host', text, ...extra,
});

const texts = (entries: LogEntry[]) => entries.map((e) => e.text);

describe('LogBuffer', () => {
  it('holds 50,000 entries by default', () => {
    expect(new LogBuffer().capacity).toBe(LOG_BUFFER_CAPACITY);
    expect(LOG_BUFFER_CAPACITY).toBe(50_000);
  });

  it('numbers entries 1, 2, 3 … and returns the stored entry', () => {
    const buffer = new LogBuffer({ capacity: 10 });
    const first = buffer.append(line('a', { slot: 0, vm: 'ekiden-mini-0-x', job: 'build', source: 'runner' }));
    expect(first).toEqual({ seq: 1, ts: 1_000, level: 'info', scope: 'core', source: 'runner', slot: 0, vm: 'ekiden-mini-0-x', job: 'build', text: 'a' });
    expect(buffer.append(line('b')).seq).toBe(2);
    expect(buffer.lastSeq).toBe(2);
    expect(buffer.firstSeq).toBe(1);
  });

  it('tails the newest entries after a seq, oldest first', () => {
    const buffer = new LogBuffer({ capacity: 10 });
    for (const t of ['a', 'b', 'c', 'd', 'e']) buffer.append(line(t));
    expect(texts(buffer.tail())).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(texts(buffer.tail({ sinceSeq: 3 }))).toEqual(['d', 'e']);
    expect(texts(buffer.tail({ limit: 2 }))).toEqual(['d', 'e']);
    expect(texts(buffer.tail({ sinceSeq: 1, limit: 3 }))).toEqual(['c', 'd', 'e']);
    expect(buffer.tail({ sinceSeq: 5 })).toEqual([]);
    expect(buffer.tail({ limit: 0 })).toEqual([]);
  });

  it('drops the oldest entries when full and keeps seq monotonic', () => {
    const buffer = new LogBuffer({ capacity: 3 });
    for (let i = 1; i <= 8; i++) buffer.append(line(`l${i}`));
    expect(buffer.size).toBe(3);
    expect(buffer.firstSeq).toBe(6);
    expect(buffer.tail().map((e) => e.seq)).toEqual([6, 7, 8]);
    // Asking from before the oldest kept gives what is left; the caller sees the gap in seq.
    expect(buffer.tail({ sinceSeq: 2 }).map((e) => e.seq)).toEqual([6, 7, 8]);
    expect(buffer.tail({ sinceSeq: 6, limit: 10 }).map((e) => e.seq)).toEqual([7, 8]);
  });

  it('wraps many times over a full 50,000-entry ring', () => {
    const buffer = new LogBuffer();
    for (let i = 1; i <= 120_001; i++) buffer.append(line(String(i)));
    const tail = buffer.tail({ limit: 3 });
    expect(texts(tail)).toEqual(['119999', '120000', '120001']);
    expect(buffer.tail().length).toBe(50_000);
    expect(buffer.tail()[0].seq).toBe(70_002);
  });

  it('stores only redacted text', () => {
    const redactor = new Redactor();
    redactor.register('hunter22-password');
    const buffer = new LogBuffer({ capacity: 5, redact: (t) => redactor.redact(t) });
    const stored = buffer.append(line('ssh password hunter22-password accepted'));
    expect(stored.text).toBe(`ssh password ${REDACTED} accepted`);
    expect(JSON.stringify(buffer.tail())).not.toContain('hunter22-password');
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LogBuffer({ capacity: 0 })).toThrow(RangeError);
  });
});
