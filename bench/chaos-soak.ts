// Chaos soak (issue #7 item 5): N jobs through 2 slots while every injectable fault of the simulator
// is switched on, seeded. The real core runs in this process against startSimHost, as `ekiden run`
// would. Targets: every job that reached a runner completed or was reported with its cause; no VM
// and no runner registration of ours left after the final drain; no unhandled rejection; no hang.
// Exit 0 when met, 1 when missed, 2 on a crash.
//
// "10% per operation": each operation of the world (a clone, a VM start, a lease, an SSH login,
// a GitHub request, a runner session...) goes wrong with that chance, the fault drawn among those
// that strike there. So a fault that shares its operation with k others fires at 1 - 0.9^(1/k)
// (OPERATIONS below). `--per-fault` instead fires every fault at the full rate at each of its
// decision points: with about 25 of them per cycle, only ~7% of cycles get through.
//
//   node --import tsx/esm bench/chaos-soak.ts [--seed N] [--jobs N | --quick] [--rate P] [--per-fault] [--max-minutes M]
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadHostConfig } from '../src-main/cli/load-host-config';
import type { EkidenConfigInput } from '../src-main/core/config/schema';
import { createEkidenHost, type EkidenHost } from '../src-main/core/ekiden-host';
import type { EkidenEvent } from '../src-main/core/events/types';
import { buildSim } from '../test/sim/build';
import type { FaultName, FaultParams as GhParams } from '../test/sim/github';
import { startSimHost, type SimHost } from '../test/sim/host';
import { installFakeRunner } from '../test/sim/runner/install';
import { report, type Target } from './lib/report';

const USAGE = `Usage: node --import tsx/esm bench/chaos-soak.ts [options]
  --seed N          seed of every fault draw (default 1)
  --jobs N          jobs to enqueue (default 1000)
  --quick           60 jobs (development)
  --rate P          chance that an operation goes wrong (default 0.1)
  --per-fault       every fault at the full rate at each of its decision points instead
  --time-scale S    simulator time scale (default 0.1)
  --max-minutes M   stop waiting for queued jobs after M minutes, then drain (default: jobs / 40 + 4)
  --verbose         print every failure as it happens
  --trace FILE      write every event except debug/info log lines to FILE (JSON lines)`;

function usage(message: string): never {
  console.error(`chaos-soak: ${message}\n${USAGE}`);
  process.exit(2);
}

const options = {
  seed: { type: 'string', default: '1' },
  jobs: { type: 'string' },
  quick: { type: 'boolean', default: false },
  rate: { type: 'string', default: '0.1' },
  'per-fault': { type: 'boolean', default: false },
  'time-scale': { type: 'string', default: '0.1' },
  'max-minutes': { type: 'string' },
  verbose: { type: 'boolean', default: false },
  trace: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;
const parse = () => parseArgs({ options }).values;
let values: ReturnType<typeof parse>;
try {
  values = parse();
} catch (error) {
  usage((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const seed = Number(values.seed);
const jobs = values.jobs !== undefined ? Number(values.jobs) : values.quick ? 60 : 1000;
const rate = Number(values.rate);
const timeScale = Number(values['time-scale']);
const maxMinutes = values['max-minutes'] !== undefined ? Number(values['max-minutes']) : jobs / 40 + 4;
if (!Number.isInteger(seed)) usage('--seed must be an integer');
if (!Number.isInteger(jobs) || jobs < 1) usage('--jobs must be a positive integer');
if (!(rate >= 0 && rate <= 1)) usage('--rate must be between 0 and 1');
if (!(timeScale > 0)) usage('--time-scale must be positive');
if (!(maxMinutes > 0)) usage('--max-minutes must be positive');

/** Deterministic draw in [0, 1) for the soak's own choices (job results, cancels, episodes). */
function draw(what: string, n: number): number {
  return createHash('sha256').update(`${seed}/soak/${what}/${n}`).digest().readUInt32BE(0) / 0x1_0000_0000;
}

// Every per-operation fault of tart.md §10 with parameters that fit the short timeouts below.
// Durations are nominal seconds, multiplied by the time scale in the simulator.
const TART_FAULTS: [string, Record<string, unknown>][] = [
  ['tart.pull_slow', { seconds: 30 }],
  ['tart.pull_network_error', { n: 2 }],
  ['tart.registry_401', {}],
  ['tart.registry_404', {}],
  ['tart.disk_full', {}],
  ['tart.auto_prune_evicts', {}],
  ['tart.clone_fail', {}],
  ['tart.run_start_fail', {}],
  ['tart.guest_error_stop', { afterS: 5 }],
  ['tart.network_disconnect', { afterS: 5 }],
  ['tart.run_ignores_sigint', {}],
  ['tart.keychain_locked', {}],
  ['tart.limit_leak', {}],
  ['tart.lock_lost', {}],
  ['tart.boot_hang', {}],
  ['net.stale_lease', {}],
  ['net.duplicate_ip', {}],
  ['net.lease_exhaustion', {}],
  ['net.guest_offline', {}],
  ['agent.absent', {}],
  ['ssh.refuse', { s: 10 }],
  ['ssh.hang', {}],
  ['ssh.drop', { afterS: 5 }],
  ['ssh.auth_fail', {}],
  ['ssh.host_key_change', {}],
];
/**
 * The operation at which each fault strikes (the decision points of the simulator's fault
 * headers, test/sim/tart/faults.ts and test/sim/github/faults.ts). A fault seen at two operations
 * is listed at the more frequent one.
 */
const OPERATIONS: Record<string, string[]> = {
  'tart pull': ['tart.pull_slow', 'tart.pull_network_error', 'tart.registry_401', 'tart.registry_404'],
  'tart clone': ['tart.clone_fail', 'tart.disk_full'],
  'auto-prune': ['tart.auto_prune_evicts'],
  'VM run': [
    'tart.run_start_fail', 'tart.keychain_locked', 'tart.limit_leak', 'tart.lock_lost', 'tart.boot_hang', 'tart.run_ignores_sigint',
    'tart.guest_error_stop', 'tart.network_disconnect', 'net.guest_offline', 'agent.absent', 'ssh.host_key_change', 'ssh.refuse',
  ],
  'lease': ['net.duplicate_ip', 'net.lease_exhaustion'],
  'tart ip': ['net.stale_lease'],
  'SSH login': ['ssh.hang', 'ssh.auth_fail', 'ssh.drop'],
  'GitHub request': ['gh.status', 'gh.slow', 'gh.empty_403', 'gh.rate_limit_secondary', 'gh.clock_skew', 'gh.list_stale'],
  'GitHub token': ['gh.token_expire_early', 'gh.token_replication'],
  'runner registration': ['gh.jit_500_after_create', 'gh.delete_lag'],
  'runner session': [
    'runner.never_assigned', 'runner.session_conflict', 'runner.deprecated', 'runner.connect_error', 'runner.self_update',
    'runner.cancel_retryable', 'runner.retryable_crash', 'runner.crash', 'runner.hang', 'runner.delete_variant_b',
  ],
};

/** Each fault's chance at its decision point, so that its operation goes wrong with `rate` in all. */
function faultChance(name: string): number {
  if (values['per-fault']) return rate;
  const k = Object.values(OPERATIONS).find((names) => names.includes(name))?.length;
  if (!k) throw new Error(`chaos soak: fault ${name} belongs to no operation`);
  return 1 - (1 - rate) ** (1 / k);
}

/** Conditions, not decisions: switched on for one episode at a time (see episodes()). */
const STANDING_FAULTS: [string, Record<string, unknown>][] = [
  ['tart.foreign_vm', { name: 'foreign-vm' }],
  ['net.local_network_denied', {}],
];
const GITHUB_FAULTS: { [N in FaultName]: GhParams[N] } = {
  'gh.status': { route: '*', status: 500 },
  'gh.slow': { route: '*', ms: 300 },
  'gh.empty_403': { route: '*' },
  'gh.token_expire_early': {},
  'gh.jit_500_after_create': {},
  'gh.delete_lag': { ms: 3000 },
  'gh.list_stale': { s: 10 },
  'gh.clock_skew': { s: 120 },
  'gh.token_replication': { ms: 1000 },
  'gh.rate_limit_secondary': { retryAfter: 2 },
  'runner.never_assigned': { agentName: '' },
  'runner.session_conflict': { s: 300 },
  'runner.deprecated': { minVersion: '2.999.0' },
  'runner.connect_error': { s: 10 },
  'runner.self_update': { version: '2.337.0' },
  'runner.cancel_retryable': {},
  'runner.retryable_crash': {},
  'runner.crash': { afterS: 3 },
  'runner.hang': { afterS: 3 },
  'runner.delete_variant_b': {},
};

/** What the soak keeps of one cycle (one VM). */
interface CycleRecord {
  slot: number;
  job?: string;
  completed?: string;
  failures: string[];
  outcome?: string;
}

const unhandled: string[] = [];
const DRAIN_BOUND_S = 180;
/** No cycle ending for this long while jobs wait is a stall (every phase is bounded well below it). */
const STALL_S = 120;
process.on('unhandledRejection', (reason) => {
  unhandled.push(String((reason as Error)?.stack ?? reason));
  console.error(`UNHANDLED REJECTION: ${String((reason as Error)?.stack ?? reason)}`);
});

const configure = (config: EkidenConfigInput): void => {
  // Tight phase bounds so hangs cost seconds; each stays well above what the phase takes here.
  config.timeouts = { pull: 60, clone: 30, boot: 10, ip: 10, connect: 10, register: 15, idle: 8, job: 15, finishing: 8, stop: 3, delete: 20 };
  // An operator of a host this flaky would not let the per-slot breaker park a slot for good
  // (5 failures in 10 min): with ~every cycle meeting a fault it would open in a minute.
  // Host-wide problems (disk full, registry 401, keychain locked...) fire here at every tenth
  // decision point: re-checked after 1 s and at least every 3 s instead of 30 s doubling to 10 min.
  config.backoff = {
    initialSeconds: 1, maxSeconds: 2, jitter: 0.2, breakerFailures: 1000, breakerWindowMinutes: 1, hostRebootAfter: 5,
    hostRetrySeconds: 1, hostRetryMaxSeconds: 3,
  };
  config.image = { ...config.image, checkIntervalMinutes: 1 };
  config.reconcileIntervalSeconds = 2;
  config.sweepIntervalMinutes = 1;
};

async function main(): Promise<number> {
  await buildSim();
  const started = Date.now();
  const sim: SimHost = await startSimHost({ slots: 2, timeScale, seed, configure });
  let host: EkidenHost | undefined;
  try {
    const loaded = await loadHostConfig(sim.configPath, sim.env);
    await mkdir(sim.stateDir, { recursive: true, mode: 0o700 });
    host = await createEkidenHost({ config: loaded.config, secrets: loaded.secrets, stateDir: sim.stateDir, env: sim.env });

    const cycles = new Map<string, CycleRecord>();
    const failuresByReason: Record<string, number> = {};
    const hostWideByReason: Record<string, number> = {};
    const cycleOutcomes: Record<string, number> = {};
    const completedByResult: Record<string, number> = {};
    const startedJobs = new Set<string>();
    const completedJobs = new Map<string, string>();
    const cycleOf = (vm: string, slot: number): CycleRecord => {
      let c = cycles.get(vm);
      if (!c) cycles.set(vm, (c = { slot, failures: [] }));
      return c;
    };
    const jobIds = new Map<string, number>();
    let cancelNo = 0;
    const cancels: Promise<unknown>[] = [];
    const crashLines: string[] = [];
    // A stall: no cycle ended for a long time while jobs waited (a hang somewhere in a slot).
    let lastCycleEnd = Date.now();
    let longestGap = 0;

    const trace = values.trace ? createWriteStream(values.trace) : undefined;
    // The operator does what Ekiden's message asks for when a fault leaves a lasting condition:
    // net.lease_exhaustion fills the DHCP pool for a day, a leaked VM limit needs a reboot.
    const operatorFixes: Record<string, number> = {};
    const firedBefore: Record<string, number> = {};
    let operatorBusy = false;
    const operator = (reason: string, message: string): void => {
      const fix = /DHCP address pool is full/.test(message) ? 'dhcp leases reset' : reason === 'host_reboot_needed' ? 'host reboot' : undefined;
      if (!fix || operatorBusy) return;
      operatorBusy = true;
      operatorFixes[fix] = (operatorFixes[fix] ?? 0) + 1;
      setTimeout(() => {
        const reboot = async () => {
          // A reboot clears the leaked limit; the fault itself stays switched on for the rest of the soak.
          firedBefore['tart.limit_leak'] = (firedBefore['tart.limit_leak'] ?? 0) + (sim.tart.faults()['tart.limit_leak']?.fired ?? 0);
          await sim.tart.rebootHost();
          sim.tart.setFault('tart.limit_leak', {}, { probability: faultChance('tart.limit_leak') });
        };
        const done = fix === 'host reboot' ? reboot() : Promise.resolve(sim.tart.resetLeases());
        void done.catch((error: unknown) => console.log(`  operator fix failed: ${(error as Error).message}`)).finally(() => (operatorBusy = false));
      }, 2000);
    };
    host.bus.subscribe((e: EkidenEvent) => {
      if (trace && !(e.type === 'log' && (e.entry.level === 'debug' || e.entry.level === 'info') && e.entry.source !== 'tart') && e.type !== 'github.call') {
        trace.write(`${JSON.stringify({ t: Date.now() - started, ...e })}\n`);
      }
      switch (e.type) {
        case 'log':
          if (/guest exit 70/.test(e.entry.text)) crashLines.push(`${e.entry.vm}: ${e.entry.text}`);
          return;
        case 'failure':
          operator(e.reason, e.message);
          if (e.hostWide) hostWideByReason[e.reason] = (hostWideByReason[e.reason] ?? 0) + 1;
          if (e.vm && e.slot !== undefined) cycleOf(e.vm, e.slot).failures.push(e.reason);
          if (e.slot !== undefined) failuresByReason[e.reason] = (failuresByReason[e.reason] ?? 0) + 1;
          if (values.verbose) console.log(`  failure ${e.slot ?? 'host'} ${e.vm ?? ''} ${e.reason}: ${e.message}`);
          return;
        case 'job.started': {
          cycleOf(e.vm, e.slot).job = e.job;
          startedJobs.add(e.job);
          // Some running jobs are cancelled from GitHub (field-failures #8, #33).
          const id = jobIds.get(e.job);
          if (id !== undefined && draw('cancel', ++cancelNo) < rate) cancels.push(sim.github.cancelJob(id).catch(() => undefined));
          return;
        }
        case 'job.completed':
          cycleOf(e.vm, e.slot).completed = e.runnerResult;
          completedJobs.set(e.job, e.runnerResult);
          completedByResult[e.runnerResult] = (completedByResult[e.runnerResult] ?? 0) + 1;
          return;
        case 'cycle.completed':
          longestGap = Math.max(longestGap, Date.now() - lastCycleEnd);
          lastCycleEnd = Date.now();
          if (e.vm) cycleOf(e.vm, e.slot).outcome = e.outcome;
          cycleOutcomes[e.outcome] = (cycleOutcomes[e.outcome] ?? 0) + 1;
          return;
        default:
      }
    });

    // Jobs first, then faults, then Ekiden: every decision point from the first pull on can fail.
    const results = ['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Failed'];
    for (let i = 0; i < jobs; i++) {
      const [id] = await sim.enqueue(1, { durationMs: 4000, result: results[Math.floor(draw('result', i) * results.length)] });
      jobIds.set((await sim.github.job(id)).name, id);
    }
    for (const [name, params] of TART_FAULTS) sim.tart.setFault(name, params, { probability: faultChance(name) });
    for (const [name, params] of Object.entries(GITHUB_FAULTS)) {
      const p = name === 'runner.never_assigned' ? {} : params;
      await sim.github.setFault(name as FaultName, p as never, { probability: faultChance(name) });
    }

    const how = values['per-fault'] ? 'every fault at that chance at each of its decision points' : 'an operation goes wrong at that chance';
    console.log(`chaos soak: ${jobs} jobs, 2 slots, ${rate}: ${how}; seed ${seed}, time scale ${timeScale}`);
    lastCycleEnd = Date.now();
    await host.start();

    // Standing conditions: every episode (10 s) each is switched on with the same chance, for one episode.
    const episodesOn: Record<string, number> = {};
    let stopEpisodes = false;
    const episodes = (async () => {
      for (let n = 1; !stopEpisodes; n++) {
        const on: string[] = [];
        for (const [name, params] of STANDING_FAULTS) {
          if (draw(name, n) >= rate) continue;
          try {
            sim.tart.setFault(name, params);
            on.push(name);
            episodesOn[name] = (episodesOn[name] ?? 0) + 1;
          } catch (error) {
            console.log(`  ${name} not injectable here: ${(error as Error).message}`);
          }
        }
        for (let t = 0; t < 100 && !stopEpisodes; t++) await new Promise((r) => setTimeout(r, 100));
        for (const name of on) sim.tart.clearFaults(name);
      }
    })();

    // A new image digest every 45 s: pulls transfer again (and meet the pull faults), clones switch
    // between jobs (field-failures #44).
    let imageUpdates = 0;
    const updater = setInterval(() => {
      void sim.tart.publishImage(sim.imageRef, { populateHome: (home) => installFakeRunner(home) }).then(
        () => imageUpdates++,
        (error: unknown) => console.log(`  image publish failed: ${(error as Error).message}`),
      );
    }, 45_000);

    // Wait until GitHub has no queued or running job left, or the time is up.
    const deadline = started + maxMinutes * 60_000;
    let lastPrint = 0;
    for (;;) {
      const all = await sim.github.jobs();
      const open = all.filter((j) => j.status !== 'completed').length;
      if (Date.now() - lastPrint > 30_000) {
        lastPrint = Date.now();
        const minutes = ((Date.now() - started) / 60_000).toFixed(1);
        console.log(`  ${minutes} min: ${all.length - open}/${all.length} jobs completed on GitHub; Ekiden completed ${completedJobs.size}; cycles ${cycles.size}`);
      }
      if (open === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    stopEpisodes = true;
    clearInterval(updater);
    await episodes;
    await Promise.all(cancels);
    longestGap = Math.max(longestGap, Date.now() - lastCycleEnd);
    const drainStart = Date.now();
    // Drain is bounded by the job and finishing timeouts plus teardown: minutes mean a hang.
    const drained = await Promise.race([
      host.shutdown('drain').then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), DRAIN_BOUND_S * 1000).unref()),
    ]);
    if (!drained) {
      console.log(`  drain did not finish within ${DRAIN_BOUND_S} s: ${JSON.stringify(host.snapshot())}`);
      await host.shutdown('now');
    }
    const drainSeconds = (Date.now() - drainStart) / 1000;
    const leftovers = await sim.leftovers();
    const wallMinutes = (Date.now() - started) / 60_000;

    // Classify every job GitHub holds.
    const ghJobs = await sim.github.jobs();
    const vmOfRunner = (runner: string): string => (cycles.has(runner) ? runner : runner.replace(/-\d+$/, ''));
    const causes: Record<string, number> = {};
    const lost: string[] = [];
    let reached = 0;
    let neverReached = 0;
    let requeued = 0;
    let requeues = 0;
    let resultMismatch = 0;
    for (const j of ghJobs) {
      requeues += j.requeues;
      if (j.requeues > 0) requeued += 1;
      if (!j.runner_name) {
        neverReached += 1;
        continue;
      }
      reached += 1;
      const done = completedJobs.get(j.name);
      if (done) {
        const expected = { Succeeded: 'success', SucceededWithIssues: 'success', Failed: 'failure', Canceled: 'cancelled' }[done];
        if (expected && j.conclusion !== expected) resultMismatch += 1;
        continue;
      }
      const c = cycles.get(vmOfRunner(j.runner_name));
      const cause = c?.failures[0];
      if (cause) causes[cause] = (causes[cause] ?? 0) + 1;
      else lost.push(`${j.name} on ${j.runner_name} (${j.status}/${j.conclusion}; cycle ${c ? `outcome ${c.outcome}, job ${c.job ?? '-'}` : 'unknown'})`);
    }

    // Faults fired, by name.
    const fired: Record<string, number> = {};
    for (const [name, f] of Object.entries(sim.tart.faults())) fired[name] = f.fired + (firedBefore[name] ?? 0);
    for (const f of await sim.github.faults()) fired[f.name] = f.fired;
    for (const [name, n] of Object.entries(episodesOn)) fired[name] = n;

    let guestCrashes = '';
    try {
      guestCrashes = await readFile(path.join(sim.tart.tartHome, '.sim', 'guest-crashes.log'), 'utf8');
    } catch {
      /* none */
    }

    const rows: Record<string, string | number>[] = [
      { what: 'jobs enqueued', count: ghJobs.length },
      { what: 'jobs that reached a runner', count: reached },
      { what: 'jobs never reached a runner (still queued at the end)', count: neverReached },
      { what: 'jobs re-queued by GitHub (routed to a runner that never took them)', count: requeued },
      { what: '  re-queues in all', count: requeues },
      ...Object.entries(completedByResult).sort().map(([k, v]) => ({ what: `completed: ${k}`, count: v })),
      ...Object.entries(causes).sort().map(([k, v]) => ({ what: `reached a runner, failed with cause: ${k}`, count: v })),
      { what: 'reached a runner, lost (no completion, no cause)', count: lost.length },
      { what: 'Ekiden result differs from GitHub conclusion', count: resultMismatch },
      { what: 'cycles', count: cycles.size },
      ...Object.entries(cycleOutcomes).sort().map(([k, v]) => ({ what: `cycles ${k}`, count: v })),
      ...Object.entries(failuresByReason).sort().map(([k, v]) => ({ what: `cycle failure: ${k}`, count: v })),
      ...Object.entries(hostWideByReason).sort().map(([k, v]) => ({ what: `host-wide pause: ${k}`, count: v })),
      ...Object.entries(fired).sort().map(([k, v]) => ({ what: `fault fired: ${k}`, count: v })),
      { what: 'orphan VMs after drain', count: leftovers.vms.length },
      { what: 'orphan runner registrations after drain', count: leftovers.runners.length },
      { what: 'unhandled rejections', count: unhandled.length },
      { what: 'longest time without a cycle ending (s)', count: Math.round(longestGap / 1000) },
      { what: 'drain seconds', count: Math.round(drainSeconds) },
      { what: 'guest crashes (exit 70)', count: crashLines.length },
      { what: 'image updates published', count: imageUpdates },
      ...Object.entries(operatorFixes).sort().map(([k, v]) => ({ what: `operator fix: ${k}`, count: v })),
      { what: 'wall minutes', count: Math.round(wallMinutes * 10) / 10 },
    ];
    if (lost.length) console.log(`\nLost jobs:\n  ${lost.join('\n  ')}`);
    if (leftovers.vms.length || leftovers.runners.length) console.log(`\nLeftovers: ${JSON.stringify(leftovers)}`);
    if (guestCrashes) console.log(`\nGuest crashes:\n${guestCrashes}`);
    const targets: Target[] = [
      { name: 'jobs that reached a runner and neither completed nor were reported with a cause', measured: lost.length, unit: 'jobs', limit: 0, kind: 'max' },
      { name: 'orphan VMs after drain', measured: leftovers.vms.length, unit: 'VMs', limit: 0, kind: 'max' },
      { name: 'orphan runner registrations after drain', measured: leftovers.runners.length, unit: 'runners', limit: 0, kind: 'max' },
      { name: 'unhandled rejections', measured: unhandled.length, unit: 'rejections', limit: 0, kind: 'max' },
      { name: 'longest time without a cycle ending (hang)', measured: Math.round(longestGap / 1000), unit: 's', limit: STALL_S, kind: 'max' },
      { name: 'drain (hang)', measured: Math.round(drainSeconds), unit: 's', limit: DRAIN_BOUND_S, kind: 'max' },
    ];
    const met = await report({
      bench: values['per-fault'] ? 'chaos-soak-per-fault' : 'chaos-soak',
      params: { jobs, slots: 2, rate, perFault: values['per-fault'], seed, timeScale, maxMinutes, hostRetrySeconds: 1, hostRetryMaxSeconds: 3 },
      rows,
      targets,
      extra: {
        wallMinutes, drainSeconds, lost, leftovers, unhandled, guestCrashes: guestCrashes.split('\n').filter(Boolean),
        completedByResult, causes, cycleOutcomes, operatorFixes, failuresByReason, hostWideByReason, fired,
      },
    });
    return met ? 0 : 1;
  } finally {
    await host?.shutdown('now').catch(() => undefined);
    await sim.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`chaos-soak crashed: ${(error as Error)?.stack ?? error}`);
    process.exit(2);
  },
);
