// Shared output of every benchmark: a table on stdout and a JSON file in bench/results/ that stays
// in the repo, so a change can be compared with the last recorded run.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

export interface Target {
  /** What is measured against what, in words: "Ekiden time per cycle <= 50 ms". */
  name: string;
  measured: number;
  unit: string;
  limit: number;
  /** `max`: measured must not exceed limit; `min`: measured must reach it. */
  kind: 'max' | 'min';
}

export interface BenchResult {
  bench: string;
  /** Parameters the run used (cycles, slots, scale, seed...). */
  params: Record<string, unknown>;
  /** Rows of the printed table. */
  rows: Record<string, string | number>[];
  targets: Target[];
  /** Anything else worth keeping for comparison. */
  extra?: Record<string, unknown>;
}

export function targetMet(t: Target): boolean {
  return t.kind === 'max' ? t.measured <= t.limit : t.measured >= t.limit;
}

export function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

function table(rows: Record<string, string | number>[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en') : v.toFixed(2)) : String(v ?? ''));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ');
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

/** Prints the table and targets, writes bench/results/<bench>.json; returns whether all targets were met. */
export async function report(result: BenchResult): Promise<boolean> {
  const targets = result.targets.map((t) => ({ ...t, met: targetMet(t) }));
  console.log(`\n== ${result.bench} ==`);
  console.log(table(result.rows));
  for (const t of targets) {
    console.log(`${t.met ? 'MET   ' : 'MISSED'} ${t.name}: ${t.measured} ${t.unit} (${t.kind === 'max' ? '<=' : '>='} ${t.limit} ${t.unit})`);
  }
  const out = { ...result, targets, machine: machine(), at: new Date().toISOString() };
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.bench}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(out, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  console.log(`results: ${path.relative(process.cwd(), file)}`);
  return targets.every((t) => t.met);
}
