// Memory and leaks over many cycles (2,000 by default; --quick runs 60), with the simulator at zero
// boot and job time so cycles come fast.
//
// Method. Ekiden's core runs in this process (the simulator in a child, see lib/sim-process.ts),
// started with --expose-gc (this script re-executes itself with it). At the job end that closes the
// warm-up (10% of the cycles) and at the last job end, a full GC runs and RSS and heap are read:
// both samples are taken mid-run at the same point of a cycle, so in-flight state is alike. The
// in-memory log ring is sized down to 1,000 lines so it is full before the warm-up ends: its
// product size (50,000 lines) is a fixed ceiling, estimated from the sampled entries and reported
// beside, not a leak. After a drain and the simulator's stop: the handles this process still holds
// (process.getActiveResourcesInfo(), against a baseline taken before Ekiden started) and its
// descendant processes (ps).
//
// Run: npm run bench -- memory [--quick] [--cycles N]
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LogBuffer, LOG_BUFFER_CAPACITY } from '../src-main/core/telemetry/log-buffer';
import { Redactor } from '../src-main/core/telemetry/redact';
import { report } from './lib/report';
import { round, runBench, startRig } from './lib/ekiden-under-test';

if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 2);
}

const MB = 2 ** 20;

interface Sample {
  cycle: number;
  rssMb: number;
  heapMb: number;
  externalMb: number;
}

function sample(cycle: number): Sample {
  globalThis.gc!();
  globalThis.gc!();
  const m = process.memoryUsage();
  return { cycle, rssMb: round(m.rss / MB), heapMb: round(m.heapUsed / MB), externalMb: round((m.external + m.arrayBuffers) / MB) };
}

/** Resource kinds a leak would show as: sockets, pipes, child processes, servers. */
const LEAKY = /TCP|Pipe|Process|UDP|Server|Signal|TTY/i;

function countResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

function descendants(root: number): { pid: number; cmd: string }[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
  const rows = out.split('\n').filter(Boolean).map((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)!;
    return { pid: Number(m[1]), ppid: Number(m[2]), cmd: m[3] };
  });
  const found: { pid: number; cmd: string }[] = [];
  const walk = (pid: number) => {
    for (const r of rows) if (r.ppid === pid && r.cmd !== 'ps -e -o pid=,ppid=,args=') (found.push({ pid: r.pid, cmd: r.cmd }), walk(r.pid));
  };
  walk(root);
  return found;
}

runBench('memory', async ({ quick, options }) => {
  const cycles = Number(options.cycles ?? (quick ? 60 : 2000));
  const warmup = Math.max(20, Math.round(cycles / 10));
  const slots = 2;
  const baseline = countResources();
  const redactor = new Redactor();
  const logs = new LogBuffer({ capacity: 1000, redact: (t) => redactor.redact(t) });
  const samples: Sample[] = [];
  const every = Math.max(1, Math.round(cycles / 10));
  let completed = 0;
  const rig = await startRig(
    {
      slots, timeScale: 0.01,
      timeline: { bootDelayMs: 0, sshDelayMs: 0, agentDelayMs: 0 },
      config: { reconcileIntervalSeconds: null, sweepIntervalMinutes: null },
    },
    (e) => {
      if (e.type !== 'job.completed') return;
      completed++;
      if (completed === warmup || completed === cycles || (completed > warmup && completed % every === 0)) samples.push(sample(completed));
    },
    // GitHub's one second between writes is real-time guidance; this world runs 100x faster.
    { redactor, logs, githubWriteSpacingMs: 10 },
  );
  let leftovers;
  let simProcesses: number[] = [];
  try {
    await rig.sim.enqueue(cycles, 0);
    await rig.host.start();
    await rig.jobsCompleted(cycles, cycles * 20_000);
    await rig.host.shutdown('drain');
    leftovers = await rig.sim.leftovers();
    simProcesses = await rig.sim.processes();
  } finally {
    await rig.dispose();
  }
  // Let closed handles finish closing.
  await new Promise((r) => setTimeout(r, 500));
  const afterStop = sample(cycles);
  const resources = countResources();
  const leakedResources: Record<string, number> = {};
  for (const [kind, n] of resources) {
    const extra = n - (baseline.get(kind) ?? 0);
    if (extra > 0) leakedResources[kind] = extra;
  }
  const leakedHandles = Object.entries(leakedResources).filter(([k]) => LEAKY.test(k)).reduce((a, [, n]) => a + n, 0);
  const children = descendants(process.pid);

  const warm = samples.find((s) => s.cycle === warmup)!;
  const end = samples.find((s) => s.cycle === cycles)!;
  const heapGrowth = round(end.heapMb - warm.heapMb);
  const rssGrowth = round(end.rssMb - warm.rssMb);
  // The product's ring holds 50,000 lines; estimate its full size from what the small ring holds.
  const entries = logs.tail();
  const bytesPerEntry = entries.reduce((a, e) => a + 2 * e.text.length + 200, 0) / Math.max(1, entries.length);
  const ringCeilingMb = round((bytesPerEntry * LOG_BUFFER_CAPACITY) / MB);

  const rows: Record<string, string | number>[] = samples.map((s) => ({ point: `after cycle ${s.cycle}`, 'rss MB': s.rssMb, 'heap MB': s.heapMb, 'external MB': s.externalMb }));
  rows.push({ point: 'after drain and stop', 'rss MB': afterStop.rssMb, 'heap MB': afterStop.heapMb, 'external MB': afterStop.externalMb });
  console.log(`log ring: sized 1,000 here; the product's 50,000-line ring tops out near ${ringCeilingMb} MB (about ${Math.round(bytesPerEntry)} B/line)`);
  console.log(`resources left beyond the baseline: ${JSON.stringify(leakedResources)}; descendant processes: ${children.length ? children.map((c) => `${c.pid} ${c.cmd}`).join('; ') : 'none'}`);
  return report({
    bench: 'memory',
    params: { cycles, warmup, slots, timeScale: 0.01, bootMs: 0, jobMs: 0, logRingCapacity: 1000, quick },
    rows,
    targets: [
      { name: `heap growth, cycle ${warmup} -> ${cycles}`, measured: heapGrowth, unit: 'MB', limit: 10, kind: 'max' },
      { name: `RSS growth, cycle ${warmup} -> ${cycles}`, measured: rssGrowth, unit: 'MB', limit: 10, kind: 'max' },
      { name: 'sockets, pipes or process handles left after stop', measured: leakedHandles, unit: 'handles', limit: 0, kind: 'max' },
      { name: 'descendant processes left after stop', measured: children.length + simProcesses.length, unit: 'processes', limit: 0, kind: 'max' },
      { name: 'leftover VMs and runner registrations', measured: (leftovers?.vms.length ?? 0) + (leftovers?.runners.length ?? 0), unit: 'items', limit: 0, kind: 'max' },
    ],
    extra: { samples, afterStop, leakedResources, children, simProcessesAfterDrain: simProcesses, leftovers, failures: rig.failures.length, ringCeilingMb, bytesPerEntry: Math.round(bytesPerEntry) },
  });
});
