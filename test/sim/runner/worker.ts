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
  repository: string;
  runId: number;
  serverUrl: string;
}

/**
 * The job message as the real worker traces it at job start (`Job message:` and the message as
 * indented JSON on the lines after it): the github context travels as contextData in the
 * runner's dictionary form, `{"t": 2, "d": [{"k", "v"}]}`. Secrets in it are masked (`***`).
 */
function jobMessage(job: WorkerJob): string {
  const github = [
    ['server_url', job.serverUrl],
    ['api_url', `${job.serverUrl}/api/v3`],
    ['repository', job.repository],
    ['repository_owner', job.repository.split('/')[0]],
    ['run_id', String(job.runId)],
    ['run_attempt', '1'],
    ['job', 'build'],
    ['workflow', 'CI'],
    ['token', '***'],
  ].map(([k, v]) => ({ k, v }));
  const message = {
    messageType: 'PipelineAgentJobRequest',
    plan: { scopeIdentifier: '00000000-0000-0000-0000-000000000000', planType: 'actions', version: 0 },
    jobId: `job-${job.jobId}`,
    jobDisplayName: job.displayName,
    jobName: '__default',
    requestId: job.jobId,
    variables: { 'system.github.token': { value: '***', isSecret: true }, 'system.github.job': { value: 'build' } },
    mask: [{ type: 'regex', value: '***' }],
    contextData: { github: { t: 2, d: github }, needs: { t: 2 } },
  };
  return `Job message:\n ${JSON.stringify(message, null, 2)}`;
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
  diag.info(jobMessage(job), 'Worker');
  diag.info(`Job ${job.displayName} (${job.jobId}) started.`, 'Worker');
  setTimeout(() => {
    diag.info(`Job ${job.displayName} finished.`, 'Worker');
    process.exit(100);
  }, job.durationMs);
});
// The listener died (crash fault, kill -9): a worker never outlives it.
process.stdin.on('end', () => process.exit(started ? 103 : 1));
