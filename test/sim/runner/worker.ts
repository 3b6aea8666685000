// Fake Runner.Worker: runs one job for its (already scaled) duration, logging to
// _diag/Worker_<yyyyMMdd-HHmmss>-utc.log. It reads the job as one JSON line on stdin, says `ready`
// on stdout once its signal handlers are in place, and exits 100 when done, 102 on SIGTERM
// (cancel), or as soon as the listener goes away (stdin closes).
import { Diag } from './listener/diag';
import { root } from './listener/paths';

interface WorkerJob {
  jobId: number;
  displayName: string;
  durationMs: number;
}

const diag = new Diag(root(), 'Worker');
let started = false;
let buffer = '';

process.on('SIGTERM', () => {
  diag.info('Job cancelled.', 'Worker');
  process.exit(102);
});
process.on('SIGINT', () => undefined);
if (process.env.RUNNER_SIGHUP_IGNORED === '1') process.on('SIGHUP', () => undefined);

process.stdout.write('ready\n');
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffer += chunk;
  const nl = buffer.indexOf('\n');
  if (started || nl < 0) return;
  started = true;
  const job = JSON.parse(buffer.slice(0, nl)) as WorkerJob;
  diag.info(`Job ${job.displayName} (${job.jobId}) started.`, 'Worker');
  setTimeout(() => {
    diag.info(`Job ${job.displayName} finished.`, 'Worker');
    process.exit(100);
  }, job.durationMs);
});
// The listener died (crash fault, kill -9): a worker never outlives it.
process.stdin.on('end', () => process.exit(started ? 103 : 1));
