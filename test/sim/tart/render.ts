// Output formats of list/get: Swift JSONEncoder `.prettyPrinted` (`"key" : value`, escaped slashes,
// unordered keys) and the plain text table.
import { createHash } from 'node:crypto';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const esc = (s: string): string => JSON.stringify(s).replace(/\//g, '\\/');

function render(v: Json, indent: string): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[\n\n' + indent + ']';
    return '[\n' + v.map((x) => indent + '  ' + render(x, indent + '  ')).join(',\n') + '\n' + indent + ']';
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{\n\n' + indent + '}';
    return '{\n' + keys.map((k) => `${indent}  ${esc(k)} : ${render(v[k], indent + '  ')}`).join(',\n') + '\n' + indent + '}';
  }
  return typeof v === 'string' ? esc(v) : JSON.stringify(v);
}

export function swiftJson(v: Json): string {
  return render(v, '');
}

/** Reorders an object's keys with a seeded permutation (Tart does not sort keys). */
export function shuffleKeys<T extends Record<string, Json>>(o: T, seed: string): T {
  const keys = Object.keys(o);
  const h = createHash('sha256').update(seed).digest();
  for (let i = keys.length - 1; i > 0; i--) {
    const j = h[i % h.length] % (i + 1);
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as T;
}

export function table(rows: Record<string, string | number | boolean>[], columns: string[]): string {
  if (rows.length === 0) return '';
  const cells = [columns, ...rows.map((r) => columns.map((c) => String(r[c])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((c, i) => c.padEnd(widths[i])).join(' ').trimEnd()).join('\n');
}

export function relativeTime(d: Date, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - d.getTime()) / 1000));
  const units: [number, string][] = [
    [86_400 * 7, 'week'],
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, unit] of units) {
    if (s >= size || unit === 'second') {
      const n = Math.floor(s / size);
      return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
    }
  }
  return 'now';
}

export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
