import { describe, expect, it } from 'vitest';
import { formatLogLine, lineTimestamp, oneLine } from '../../../src-main/core/telemetry/log-line';

const TS = new Date(2025, 0, 2, 3, 4, 5, 6).getTime();

describe('log line format (telemetry.md §5.1)', () => {
  it('writes the timestamp as {y}-{m}-{d} {h}:{i}:{s}.{ms} in local time', () => {
    expect(lineTimestamp(TS)).toBe('2025-01-02 03:04:05.006');
  });

  it.each([
    [
      'a runner line with slot, vm and job',
      { level: 'info', scope: 'runner', source: 'runner', slot: 1, vm: 'ekiden-mini-7-1-z8q2', job: 'build (macos-15)', text: 'Running job: build (macos-15)' },
      '[2025-01-02 03:04:05.006] [info] [runner] slot=1 vm=ekiden-mini-7-1-z8q2 job=build (macos-15) src=runner Running job: build (macos-15)',
    ],
    [
      'a host line without context',
      { level: 'warn', scope: 'core', source: 'host', text: 'startup VM reap failed' },
      '[2025-01-02 03:04:05.006] [warn] [core] slot=- vm=- job=- src=host startup VM reap failed',
    ],
    [
      'slot 0 is a slot, not a dash',
      { level: 'error', scope: 'tart', source: 'tart', slot: 0, text: 'x' },
      '[2025-01-02 03:04:05.006] [error] [tart] slot=0 vm=- job=- src=tart x',
    ],
    [
      'ANSI colours and cursor codes are stripped',
      { level: 'info', scope: 'guest', source: 'guest', text: '\x1b[32m✓\x1b[0m done\x1b[2K' },
      '[2025-01-02 03:04:05.006] [info] [guest] slot=- vm=- job=- src=guest ✓ done',
    ],
    [
      'one event stays on one line',
      { level: 'info', scope: 'guest', source: 'guest', text: 'first\r\nsecond\nthird' },
      '[2025-01-02 03:04:05.006] [info] [guest] slot=- vm=- job=- src=guest first\\nsecond\\nthird',
    ],
  ] as const)('%s', (_what, fields, line) => {
    expect(formatLogLine({ ts: TS, ...fields })).toBe(line);
  });

  it('drops control characters but keeps tabs', () => {
    expect(oneLine('a\tb\x07c\x00')).toBe('a\tbc');
  });
});
