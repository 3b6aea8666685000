// `npm run bench [-- <name> ...] [--quick]`: runs every benchmark in bench/ (or the named ones),
// one after the other, each in its own node process, and prints one summary line per benchmark.
// Exit codes of a benchmark: 0 every target met, 1 a target missed, 2 it crashed. Files starting
// with "_" are scratch, not benchmarks. Other options after `--` are passed to every benchmark.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`Usage: npm run bench -- [name ...] [--quick] [other options for the benchmarks]\n\nBenchmarks: ${available.join(', ')}`);
  process.exit(0);
}
const names = args.filter((a) => !a.startsWith('-') && available.includes(a));
const unknown = args.filter((a, i) => !a.startsWith('-') && !available.includes(a) && !(i > 0 && args[i - 1].startsWith('--') && args[i - 1] !== '--quick'));
if (unknown.length) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')} (available: ${available.join(', ')})`);
  process.exit(2);
}
const passOn = args.filter((a) => !names.includes(a));
const selected = names.length ? names : available;

const OUTCOME: Record<number, string> = { 0: 'all targets met', 1: 'a target MISSED', 2: 'CRASHED' };

function runOne(name: string): Promise<{ code: number; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx/esm', path.join(here, `${name}.ts`), ...passOn], { stdio: 'inherit' });
    // Ctrl-C reaches the benchmark through the terminal's process group; we only wait for it.
    const ignore = () => {};
    process.on('SIGINT', ignore);
    child.once('error', () => resolve({ code: 2, seconds: 0 }));
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve({ code: signal ? 2 : (code ?? 2), seconds: (performance.now() - started) / 1000 });
    });
  });
}

console.log(`Benchmarks: ${selected.join(', ')}${passOn.length ? ` (options: ${passOn.join(' ')})` : ''}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const results: { name: string; code: number; seconds: number }[] = [];
for (const name of selected) {
  console.log(`\n### ${name}`);
  results.push({ name, ...(await runOne(name)) });
}
console.log('\n== summary ==');
const width = Math.max(...results.map((r) => r.name.length));
for (const r of results) console.log(`${r.name.padEnd(width)}  ${OUTCOME[r.code] ?? `exit ${r.code}`}  (${r.seconds.toFixed(0)} s)`);
process.exit(results.reduce((worst, r) => Math.max(worst, Math.min(r.code, 2)), 0));
