// One log event as one file line (telemetry.md §5.1):
// [{y}-{m}-{d} {h}:{i}:{s}.{ms}] [{level}] [{scope}] slot=<n|-> vm=<name|-> job=<display|-> src=<source> <text>
import type { LogSource } from '../util/logger';

export interface LineFields {
  ts: number;
  level: string;
  scope: string;
  source: LogSource;
  slot?: number;
  vm?: string;
  job?: string;
  text: string;
}

// CSI sequences (colours, cursor moves) and OSC sequences (titles, links).
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
// Other control characters but tab; line breaks are handled separately.
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Keeps one event on one line: line breaks become a visible `\n`. */
export function oneLine(text: string): string {
  return stripAnsi(text).replace(/\r?\n|\r/g, '\\n').replace(CONTROL, '');
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local time, as electron-log's `{y}-{m}-{d} {h}:{i}:{s}.{ms}`. */
export function lineTimestamp(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const orDash = (v: string | number | undefined) => (v === undefined || v === '' ? '-' : oneLine(String(v)));

export function formatLogLine(f: LineFields): string {
  return (
    `[${lineTimestamp(f.ts)}] [${f.level}] [${f.scope}] ` +
    `slot=${orDash(f.slot)} vm=${orDash(f.vm)} job=${orDash(f.job)} src=${f.source} ${oneLine(f.text)}`
  );
}
