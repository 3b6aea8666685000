// Orchestration overhead: what Ekiden itself costs per cycle (clone, boot, connect, register,
// listen, run, finish, tear down), with the simulator set to zero boot time and zero job time.
//
// Method. The simulated host (fake GitHub server, tart simulator) runs in a child process
// (lib/sim-process.ts); the fake `tart`, the guests and the runners are processes of their own
// anyway. This process holds Ekiden's real core (createEkidenHost, as `ekiden run` builds it) and
// nothing else but a few counters on its event bus. "Ekiden's own time" is then this process's CPU
// time (process.cpuUsage: user + system, all threads: JS, GC, libuv, the ssh2 crypto, spawning
// tart), summed over a steady-state window and divided by the cycles completed in it. Waiting on
// tart, the guest or GitHub costs no CPU here, so it is excluded by construction; the CPU those
// processes burn is theirs. Background work (image checks, reconcile, sweep) at the product's
// default intervals is included, amortised over the cycles. Event-loop utilisation in the window is
// reported beside it (busy wall time of the loop, which also counts time descheduled on a loaded box).
//
// Run: npm run bench -- overhead [--quick] [--jobs N] [--slots 1|2]
import { spawn } from 'node:child_process';
import type { Phase } from '../src-main/core/events/types';
import { report } from './lib/report';
import { mean, median, round, runBench, startRig } from './lib/ekiden-under-test';

/**
 * CPU this process spends creating one short-lived child (fork + exec + pipes + reaping), as
 * Ekiden does for each tart command. On Linux libuv forks, so the cost grows with the parent's RSS.
 */
async function processCreationCpuMs(rounds: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < rounds; i++) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('/bin/true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.once('error', reject);
      child.once('close', () => resolve());
    });
  }
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000 / rounds;
}

runBench('overhead', async ({ quick, options }) => {
  const slots = Number(options.slots ?? 2) as 1 | 2;
  const warmup = quick ? 4 : 10;
  const jobs = Number(options.jobs ?? (quick ? 10 : 100));
  const timeScale = 0.01;

  let window: { cpu: NodeJS.CpuUsage; at: number; elu: ReturnType<typeof performance.eventLoopUtilization> } | undefined;
  let end: typeof window;
  let completed = 0;
  let cyclesInWindow = 0;
  let logLines = 0;
  let logChars = 0;
  const phases = new Map<Phase, number[]>();
  const cycleSeconds: number[] = [];
  const rig = await startRig(
    {
      slots, timeScale,
      timeline: { bootDelayMs: 0, sshDelayMs: 0, agentDelayMs: 0 },
      // The product's default background intervals, not the simulator's short test ones.
      config: { reconcileIntervalSeconds: null, sweepIntervalMinutes: null },
    },
    (e) => {
      if (e.type === 'job.completed') {
        completed++;
        if (completed === warmup) window = { cpu: process.cpuUsage(), at: performance.now(), elu: performance.eventLoopUtilization() };
        if (completed === warmup + jobs) end = { cpu: process.cpuUsage(), at: performance.now(), elu: performance.eventLoopUtilization() };
      }
      if (!window || end) return;
      if (e.type === 'cycle.completed') {
        cyclesInWindow++;
        cycleSeconds.push(e.seconds);
      }
      if (e.type === 'log') {
        logLines++;
        logChars += e.entry.text.length;
      }
      if (e.type === 'phase.completed' && e.outcome === 'ok') phases.set(e.phase, [...(phases.get(e.phase) ?? []), e.seconds * 1000]);
    },
    // GitHub's one second between writes is real-time guidance; this world runs faster by timeScale.
    { githubWriteSpacingMs: 1000 * timeScale },
  );
  try {
    await rig.sim.enqueue(warmup + jobs, 0);
    await rig.host.start();
    await rig.jobsCompleted(warmup + jobs, (warmup + jobs) * 20_000);
    await rig.host.shutdown('drain');
    const leftovers = await rig.sim.leftovers();
    const tartCalls = await rig.sim.tartCalls();
    const cycles = warmup + jobs;
    const tartPerCycle = Object.values(tartCalls).reduce((a, b) => a + b, 0) / cycles;
    const spawnMs = await processCreationCpuMs(40);
    if (!window || !end) throw new Error('the measurement window never closed');

    const wallS = (end.at - window.at) / 1000;
    const userMs = (end.cpu.user - window.cpu.user) / 1000;
    const sysMs = (end.cpu.system - window.cpu.system) / 1000;
    const perCycle = (userMs + sysMs) / jobs;
    const elu = performance.eventLoopUtilization(end.elu, window.elu).utilization;
    const failures = rig.failures.length;
    const rows: Record<string, string | number>[] = [
      { measure: 'jobs (cycles) in window', value: jobs },
      { measure: 'other cycles in window (failed/recycled)', value: cyclesInWindow - jobs },
      { measure: 'window wall time (s)', value: round(wallS) },
      { measure: 'cycles per second per slot', value: round(jobs / wallS / slots, 3) },
      { measure: 'wall time per cycle per slot, median (ms)', value: round(median(cycleSeconds) * 1000) },
      { measure: 'Ekiden CPU per cycle (ms)', value: round(perCycle) },
      { measure: '  of which user (ms)', value: round(userMs / jobs) },
      { measure: '  of which system (ms)', value: round(sysMs / jobs) },
      { measure: 'event-loop busy per cycle (ms)', value: round((elu * wallS * 1000) / jobs) },
      { measure: 'failures during the run', value: failures },
    ];
    rows.push({ measure: 'tart invocations per cycle (whole run)', value: round(tartPerCycle) });
    rows.push({ measure: 'CPU to create one child process here (ms)', value: round(spawnMs) });
    rows.push({ measure: 'Ekiden CPU per cycle without process creation (ms)', value: round(perCycle - tartPerCycle * spawnMs) });
    rows.push({ measure: 'log lines per cycle (chars)', value: `${round(logLines / jobs, 1)} (${Math.round(logChars / jobs)})` });
    rows.push({ measure: 'RSS of the Ekiden process at the end (MB)', value: round(process.memoryUsage().rss / 2 ** 20) });
    for (const [phase, ms] of phases) rows.push({ measure: `phase ${phase}, median wall (ms)`, value: round(median(ms)) });
    return await report({
      bench: 'overhead',
      params: { slots, warmup, jobs, timeScale, bootMs: 0, jobMs: 0, quick },
      rows,
      targets: [
        { name: 'Ekiden CPU time per cycle', measured: round(perCycle), unit: 'ms', limit: 50, kind: 'max' },
        { name: 'failures during the run', measured: failures, unit: 'failures', limit: 0, kind: 'max' },
        { name: 'leftover VMs and runner registrations', measured: leftovers.vms.length + leftovers.runners.length, unit: 'items', limit: 0, kind: 'max' },
      ],
      extra: {
        cpuMsPerCycle: round(perCycle), userMs: round(userMs), systemMs: round(sysMs), eventLoopUtilization: round(elu, 4),
        cycleWallMsMean: round(mean(cycleSeconds) * 1000), leftovers, tartCalls,
        processCreationMs: round(spawnMs), cpuMsPerCycleWithoutProcessCreation: round(perCycle - tartPerCycle * spawnMs),
        phaseMedianMs: Object.fromEntries([...phases].map(([p, ms]) => [p, round(median(ms))])),
      },
    });
  } finally {
    await rig.dispose();
  }
});
