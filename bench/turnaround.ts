// Turnaround: how much of each slot's time a runner is there for GitHub (listening or running),
// and how long a slot takes from the end of one job to the next listening runner, with realistic
// delays: boot 20 s and jobs of 60 s, both scaled down 100x by the simulator (--scale changes it).
//
// Ideal throughput. A slot cannot do better than one job per (job + unavoidable), where
// unavoidable = what the simulated world itself needs per VM, timed against the simulator alone:
//   clone    `tart clone` + `tart set --random-mac` (the fake tart's process starts)
//   boot     `tart run` until the guest's SSH port accepts (the 20 s boot timeline, scaled, plus
//            the guest process start)
//   login    one SSH login and one command (any orchestrator has to reach the runner)
//   register Ekiden's own register phase (JIT config minted, runner started, "Listening for
//            Jobs"): mostly the fake runner's start and the fake GitHub; the little Ekiden work
//            inside is bounded by the overhead benchmark
//   job      the job's duration as Ekiden saw it (job.started -> job.completed)
//   remove   `tart stop` + `tart delete`
// Everything else in a cycle counts against Ekiden: its `tart list` checks, the `tart ip` call,
// the identity check, waits between polls, its own CPU. Measured throughput per slot is the mean
// period between consecutive job ends on that slot, with the queue never empty.
//
// Every delay of the world is multiplied by `--scale` (0.01: boot 200 ms, job 600 ms); so is
// GitHub's one-second spacing of writes, which Ekiden follows. Costs that do not scale (process
// starts, SSH handshakes) weigh 100x more here than on a Mac: the run also projects the same
// absolute extra onto the unscaled delays.
//
// Run: npm run bench -- turnaround [--quick] [--jobs N] [--scale 0.01]
import type { SlotState } from '../src-main/core/events/types';
import { report } from './lib/report';
import { mean, median, round, runBench, startRig } from './lib/ekiden-under-test';

const BOOT_MS = 20_000;
const JOB_MS = 60_000;

runBench('turnaround', async ({ quick, options }) => {
  const slots = 2;
  const jobs = Number(options.jobs ?? (quick ? 8 : 40));
  const timeScale = Number(options.scale ?? 0.01);

  const now = () => performance.now();
  const jobEnds = new Map<number, number[]>();
  const jobSeconds: number[] = [];
  const registerMs: number[] = [];
  const phaseMs = new Map<string, number[]>();
  const gaps: number[] = [];
  const pendingGap = new Map<number, number>();
  /** Per slot: time spent listening or running, between its first listening and its last job end. */
  const avail = new Map<number, { since?: number; state?: SlotState; total: number; first?: number }>();
  const rig = await startRig(
    {
      slots, timeScale,
      timeline: { bootDelayMs: BOOT_MS, sshDelayMs: BOOT_MS, agentDelayMs: BOOT_MS },
      config: { reconcileIntervalSeconds: null, sweepIntervalMinutes: null },
    },
    (e) => {
      const t = now();
      if (e.type === 'slot.state') {
        const a = avail.get(e.slot) ?? { total: 0 };
        avail.set(e.slot, a);
        const up = (s?: SlotState) => s === 'listening' || s === 'running';
        if (up(a.state) && a.since !== undefined) a.total += t - a.since;
        a.state = e.state;
        a.since = t;
        if (e.state === 'listening') {
          a.first ??= t;
          const ended = pendingGap.get(e.slot);
          if (ended !== undefined) gaps.push(t - ended);
          pendingGap.delete(e.slot);
        }
      }
      if (e.type === 'job.completed') {
        jobEnds.set(e.slot, [...(jobEnds.get(e.slot) ?? []), t]);
        jobSeconds.push(e.seconds);
        pendingGap.set(e.slot, t);
        // Time listening/running up to this job end, so the share ends with the last job.
        const a = avail.get(e.slot)!;
        if (a.since !== undefined) {
          a.total += t - a.since;
          a.since = t;
        }
        (a as { lastEnd?: number; totalAtEnd?: number }).lastEnd = t;
        (a as { lastEnd?: number; totalAtEnd?: number }).totalAtEnd = a.total;
      }
      if (e.type === 'phase.completed' && e.outcome === 'ok') {
        phaseMs.set(e.phase, [...(phaseMs.get(e.phase) ?? []), e.seconds * 1000]);
        if (e.phase === 'register') registerMs.push(e.seconds * 1000);
      }
    },
    // GitHub's one second between writes is real-time guidance; this world runs faster by timeScale.
    { githubWriteSpacingMs: 1000 * timeScale },
  );
  try {
    await rig.sim.enqueue(jobs + 2 * slots, JOB_MS);
    await rig.host.start();
    await rig.jobsCompleted(jobs, jobs * 30_000);
    await rig.host.shutdown('now');
    const leftovers = await rig.sim.leftovers();
    const cal = await rig.sim.calibrate(quick ? 2 : 4);

    const cloneMs = median(cal.cloneMs);
    const bootMs = median(cal.bootMs);
    const loginMs = median(cal.loginMs);
    const removeMs = median(cal.removeMs);
    const regMs = median(registerMs);
    const jobMs = median(jobSeconds) * 1000;
    const idealPeriod = jobMs + cloneMs + bootMs + loginMs + regMs + removeMs;
    const periods: number[] = [];
    const shares: number[] = [];
    for (const [slot, ends] of jobEnds) {
      if (ends.length >= 2) periods.push((ends.at(-1)! - ends[0]) / (ends.length - 1));
      const a = avail.get(slot) as { first?: number; lastEnd?: number; totalAtEnd?: number } | undefined;
      if (a?.first !== undefined && a.lastEnd !== undefined && a.totalAtEnd !== undefined) shares.push(a.totalAtEnd / (a.lastEnd - a.first));
    }
    const measuredPeriod = mean(periods);
    const ratio = idealPeriod / measuredPeriod;
    // The same absolute extra against the unscaled delays: the simulator's process costs stay, its timeline is 1x.
    const scaledAway = (BOOT_MS + JOB_MS) * (1 - timeScale);
    const projected = (idealPeriod + scaledAway) / (measuredPeriod + scaledAway);
    const sortedGaps = [...gaps].sort((a, b) => a - b);
    const rows: Record<string, string | number>[] = [
      { measure: 'jobs completed', value: rig.completed },
      { measure: 'job duration seen by Ekiden, median (ms)', value: round(jobMs) },
      { measure: 'unavoidable: clone + set (ms, simulator alone)', value: round(cloneMs) },
      { measure: 'unavoidable: boot to SSH (ms, simulator alone)', value: round(bootMs) },
      { measure: 'unavoidable: SSH login + one command (ms, simulator alone)', value: round(loginMs) },
      { measure: 'unavoidable: register phase, median (ms)', value: round(regMs) },
      { measure: 'unavoidable: tart stop + delete (ms, simulator alone)', value: round(removeMs) },
      { measure: 'ideal period per slot (ms)', value: round(idealPeriod) },
      { measure: 'measured period per slot, mean (ms)', value: round(measuredPeriod) },
      { measure: 'throughput vs ideal (%)', value: round(ratio * 100, 1) },
      { measure: 'share of slot time listening or running (%)', value: round(mean(shares) * 100, 1) },
      { measure: 'gap job end -> next listening, median (ms)', value: round(median(gaps)) },
      { measure: 'gap job end -> next listening, p90 (ms)', value: round(sortedGaps[Math.floor(sortedGaps.length * 0.9)] ?? NaN) },
      { measure: 'ideal gap: remove + clone + boot + login + register (ms)', value: round(removeMs + cloneMs + bootMs + loginMs + regMs) },
      { measure: 'failures during the run', value: rig.failures.length },
      { measure: 'Ekiden extra per cycle: measured - ideal period (ms)', value: round(measuredPeriod - idealPeriod) },
      { measure: 'projected throughput vs ideal at 1x delays (%)', value: round(projected * 100, 1) },
    ];
    for (const [phase, ms] of phaseMs) rows.push({ measure: `phase ${phase}, median wall (ms)`, value: round(median(ms)) });
    return await report({
      bench: 'turnaround',
      params: { slots, jobs, timeScale, bootMsNominal: BOOT_MS, jobMsNominal: JOB_MS, quick },
      rows,
      targets: [
        { name: 'throughput vs ideal for these delays', measured: round(ratio * 100, 1), unit: '%', limit: 95, kind: 'min' },
        { name: 'failures during the run', measured: rig.failures.length, unit: 'failures', limit: 0, kind: 'max' },
        { name: 'leftover VMs and runner registrations', measured: leftovers.vms.length + leftovers.runners.length, unit: 'items', limit: 0, kind: 'max' },
      ],
      extra: { calibration: cal, registerMs, gaps: gaps.map((g) => round(g)), periods: periods.map((p) => round(p)), shares, leftovers },
    });
  } finally {
    await rig.dispose();
  }
});
