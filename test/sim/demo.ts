// `npm run demo`: a simulated Mac with 2 VM slots runs 10 GitHub jobs, each in a fresh VM, live,
// then prints jobs by result, per-phase timings and leftovers (none). Ekiden runs exactly as
// `ekiden run` would, from a configuration file, against the simulator's fake tart and GitHub.
import { parseArgs } from 'node:util';
import { mkdir } from 'node:fs/promises';
import { loadHostConfig } from '../../src-main/cli/load-host-config';
import { eventLine } from '../../src-main/cli/event-lines';
import { formatSummary, RunSummaryCollector } from '../../src-main/cli/run-summary';
import { createEkidenHost } from '../../src-main/core/ekiden-host';
import { buildSim } from './build';
import { startSimHost } from './host';
import { startOtlpReceiver, type OtlpReceiver } from './otlp/receiver';
import { metricPoints } from './otlp/view';
import { runUiDemo } from './ui-demo';

/** Bad arguments get one line and exit 2, never a stack trace. */
function usageError(message: string): never {
  console.error(`demo: ${message} (see npm run demo -- --help)`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      jobs: { type: 'string', default: '10' },
      slots: { type: 'string', default: '2' },
      'job-seconds': { type: 'string', default: '3' },
      verbose: { type: 'boolean', short: 'v', default: false },
      otlp: { type: 'string' },
      ui: { type: 'boolean', default: false },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (error) {
  usageError((error as Error).message);
}
const { values } = parsed;
if (values.help) {
  console.log(`Usage: npm run demo -- [--jobs N] [--slots 1|2] [--job-seconds S] [--verbose] [--ui [--port P]] [--otlp URL|local]

Starts a simulated host (fake tart with guests, fake GitHub, a runner image), enqueues N jobs and
lets Ekiden run them through the slots, one fresh VM per job. --verbose also prints every log line
(tart, guest and runner output included).

--ui            also serve the app's window (the React renderer) on http://127.0.0.1:<port>/ and
                drive the host from it (pause, resume, stop, settings, live logs). The jobs are
                enqueued and the demo keeps running until Ctrl-C, then drains.
--port P        the --ui port (default: a free one; the URL is printed)

--otlp URL      push metrics over OTLP/HTTP protobuf to URL (a collector or Grafana Cloud base URL;
                /v1/metrics is appended). Credentials come from EKIDEN_OTLP_AUTHORIZATION if set.
--otlp local    start the simulator's own OTLP receiver, push to it, and at the end decode what
                arrived and compare the ekiden.jobs counts with the jobs that ran.`);
  process.exit(0);
}
const jobs = Number(values.jobs);
const slots = Number(values.slots) as 1 | 2;
if (!Number.isInteger(jobs) || jobs < 1) usageError('--jobs must be a positive integer');
if (slots !== 1 && slots !== 2) usageError('--slots must be 1 or 2');
if (!(Number(values['job-seconds']) > 0)) usageError('--job-seconds must be a positive number');
if (values.port !== undefined && !(Number.isInteger(Number(values.port)) && Number(values.port) > 0 && Number(values.port) < 65536)) usageError('--port must be a TCP port (1-65535)');

await buildSim();
console.log('Starting the simulated host (fake tart, guests, registry, fake GitHub)...');
const receiver: OtlpReceiver | undefined = values.otlp === 'local' ? await startOtlpReceiver() : undefined;
const otlpEndpoint = receiver?.url ?? values.otlp;
const sim = await startSimHost({
  slots,
  configure: (config) => {
    if (!otlpEndpoint) return;
    config.telemetry = { endpoint: otlpEndpoint, exportIntervalSeconds: 10 };
    if (process.env.EKIDEN_OTLP_AUTHORIZATION) config.telemetry.authorization = { env: 'EKIDEN_OTLP_AUTHORIZATION' };
  },
});
if (values.ui) {
  let code = 1;
  try {
    code = await runUiDemo(sim, { jobs, jobSeconds: Number(values['job-seconds']), port: values.port ? Number(values.port) : undefined, verbose: values.verbose });
  } finally {
    await sim.stop();
    await receiver?.close();
  }
  process.exit(code);
}
if (otlpEndpoint) console.log(`Metrics: OTLP/HTTP protobuf to ${otlpEndpoint}/v1/metrics every 10 s, flushed at the end`);
let exitCode = 0;
try {
  const loaded = await loadHostConfig(sim.configPath, sim.env);
  await mkdir(sim.stateDir, { recursive: true, mode: 0o700 });
  const host = await createEkidenHost({ config: loaded.config, secrets: loaded.secrets, stateDir: sim.stateDir, env: sim.env });
  const summary = new RunSummaryCollector();
  let completed = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (allDone = resolve));
  host.bus.subscribe((event) => {
    summary.observe(event);
    if (event.type === 'log') {
      if (values.verbose || event.entry.level === 'error') {
        const e = event.entry;
        console.log(`    ${e.source}${e.slot === undefined ? '' : `[${e.slot}]`} ${e.text}`);
      }
      return;
    }
    const line = eventLine(event);
    if (line) console.log(line);
    if (event.type === 'job.completed' && ++completed >= jobs) allDone();
  });

  console.log(`Config: ${sim.configPath}`);
  console.log(`Image: ${sim.imageRef}; org ${sim.repo.split('/')[0]}; ${slots} slot(s); enqueueing ${jobs} jobs\n`);
  const results = ['Succeeded', 'Succeeded', 'Succeeded', 'Failed', 'Succeeded'];
  for (let i = 0; i < jobs; i++) {
    await sim.enqueue(1, { durationMs: Number(values['job-seconds']) * 1000, result: results[i % results.length] });
  }
  const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await host.start();
  await Promise.race([done, interrupted]);
  console.log('\nAll jobs done; draining (idle runners are deregistered, VMs deleted)...');
  await host.shutdown('drain');

  const leftovers = await sim.leftovers();
  console.log(`\n${formatSummary(summary.summary(), leftovers)}`);
  if (receiver) {
    // The last export is cumulative: it holds every job Ekiden counted.
    const last = receiver.metrics().at(-1);
    const points = last?.body ? metricPoints(last.body).filter((p) => p.metric === 'ekiden.jobs') : [];
    const byResult: Record<string, number> = {};
    for (const p of points) byResult[String(p.attributes['cicd.pipeline.result'])] = (byResult[String(p.attributes['cicd.pipeline.result'])] ?? 0) + (p.value ?? 0);
    const total = Object.values(byResult).reduce((a, b) => a + b, 0);
    console.log(`OTLP receiver: ${receiver.metrics().length} metric exports decoded; ekiden.jobs = ${total} (${Object.entries(byResult).map(([k, v]) => `${k} ${v}`).join(', ')}); jobs run: ${completed}`);
    if (total !== completed) exitCode = 1;
  }
  const unfinished = (await sim.github.jobs()).filter((j) => j.status !== 'completed').length;
  if (unfinished) console.log(`Jobs still queued on GitHub: ${unfinished}`);
  if (leftovers.vms.length || leftovers.runners.length || completed < jobs) exitCode = 1;
} catch (error) {
  console.error(`demo failed: ${(error as Error).stack ?? error}`);
  exitCode = 1;
} finally {
  await sim.stop();
  await receiver?.close();
}
process.exit(exitCode);
