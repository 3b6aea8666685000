// The metrics Ekiden emits (telemetry.md §4): one row per metric, the single source for the
// instruments, their units and kinds, and the Prometheus names the dashboard may query.
import {
  METRIC_HTTP_CLIENT_REQUEST_DURATION,
} from '@opentelemetry/semantic-conventions';
import {
  METRIC_CICD_SYSTEM_ERRORS,
  METRIC_CICD_WORKER_COUNT,
  METRIC_SYSTEM_FILESYSTEM_USAGE,
} from '@opentelemetry/semantic-conventions/incubating';

export type InstrumentKind = 'counter' | 'histogram' | 'observableUpDownCounter' | 'observableGauge';

export interface MetricDefinition {
  name: string;
  kind: InstrumentKind;
  unit: string;
  description: string;
}

const def = (name: string, kind: InstrumentKind, unit: string, description: string): MetricDefinition => ({ name, kind, unit, description });

export const METRICS = {
  workerCount: def(METRIC_CICD_WORKER_COUNT, 'observableUpDownCounter', '{worker}', 'Runner slots by CI/CD worker state.'),
  slotCount: def('ekiden.slot.count', 'observableUpDownCounter', '{slot}', 'Slots by state; every state reported, 0 when empty.'),
  supervisorPaused: def('ekiden.supervisor.paused', 'observableGauge', '{state}', '1 while the host is paused or draining, else 0.'),
  jobs: def('ekiden.jobs', 'counter', '{job}', 'Jobs completed, by result.'),
  jobDuration: def('ekiden.job.duration', 'histogram', 's', 'From "Running job:" to "completed with result:".'),
  phaseDuration: def('ekiden.phase.duration', 'histogram', 's', 'Duration of each phase of a cycle, by outcome.'),
  cycleDuration: def('ekiden.cycle.duration', 'histogram', 's', 'Duration of a whole cycle, idle to idle.'),
  systemErrors: def(METRIC_CICD_SYSTEM_ERRORS, 'counter', '{error}', 'Typed failures, by component and reason.'),
  imagePulls: def('ekiden.image.pulls', 'counter', '{pull}', 'tart pull runs, by result.'),
  imageInfo: def('ekiden.image.info', 'observableGauge', '{image}', '1 for the image digest in use.'),
  vmCount: def('ekiden.vm.count', 'observableUpDownCounter', '{vm}', 'Local VMs by owner and state, from the last tart list.'),
  filesystemUsage: def(METRIC_SYSTEM_FILESYSTEM_USAGE, 'observableUpDownCounter', 'By', 'Used and free bytes on the volume of TART_HOME.'),
  tartCacheUsage: def('ekiden.tart.cache.usage', 'observableUpDownCounter', 'By', 'Bytes of the OCI image cache (digest entries).'),
  runnerVersionAge: def('ekiden.runner.version.age', 'observableGauge', 'd', 'Days since a newer runner than the image\'s was first seen; 0 when current.'),
  httpClientDuration: def(METRIC_HTTP_CLIENT_REQUEST_DURATION, 'histogram', 's', 'Duration of GitHub REST calls.'),
  rateLimitRemaining: def('ekiden.github.ratelimit.remaining', 'observableGauge', '{request}', 'The last x-ratelimit-remaining seen.'),
  runnerDeletions: def('ekiden.github.runner.deletions', 'counter', '{runner}', 'Runner registration DELETEs, by reason and status.'),
  hostCheckStatus: def('ekiden.host.check.status', 'observableGauge', '{status}', 'Latest preflight result per check: 0 ok, 1 warn, 2 fail.'),
  dhcpLeaseTime: def('ekiden.dhcp.lease_time', 'observableGauge', 's', 'bootpd DHCPLeaseTimeSecs (86,400 when missing).'),
  dhcpLeases: def('ekiden.dhcp.leases', 'observableGauge', '{lease}', 'Lease blocks in /var/db/dhcpd_leases, by state.'),
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

/** Every `s` histogram uses these: the SDK defaults are tuned for milliseconds (§2). */
export const SECONDS_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 21600];

/** Attribute keys of §4 that are Ekiden's own (semconv keys come from the semconv package). */
export const ATTR = {
  slotState: 'ekiden.slot.state',
  slot: 'ekiden.slot',
  runnerResult: 'ekiden.runner.result',
  phase: 'ekiden.phase',
  outcome: 'ekiden.outcome',
  cycleOutcome: 'ekiden.cycle.outcome',
  pullResult: 'ekiden.pull.result',
  vmOwner: 'ekiden.vm.owner',
  vmState: 'ekiden.vm.state',
  runnerVersion: 'ekiden.runner.version',
  runnerLatestVersion: 'ekiden.runner.latest_version',
  rateLimitResource: 'ekiden.github.ratelimit.resource',
  deletionReason: 'ekiden.deletion.reason',
  check: 'ekiden.check',
  leaseState: 'ekiden.lease.state',
} as const;
