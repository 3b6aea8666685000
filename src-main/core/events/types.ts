import type { FailureReason } from '../errors';
import type { CheckId, CheckStatus } from '../host/preflight';
import type { LogLevel, LogSource } from '../util/logger';

/** The slot states of architecture.md, in cycle order, then the off-cycle states. */
export const SLOT_STATES = [
  'idle', 'preparing', 'cloning', 'booting', 'connecting', 'registering', 'listening', 'running', 'finishing',
  'tearing-down', 'backoff', 'draining', 'paused', 'stopped',
] as const;
export type SlotState = (typeof SLOT_STATES)[number];

/** Timed phases of one cycle (telemetry.md §4.1). */
export const PHASES = ['pull', 'clone', 'boot', 'ip', 'connect', 'register', 'idle', 'finishing', 'teardown'] as const;
export type Phase = (typeof PHASES)[number];
export type PhaseOutcome = 'ok' | 'timeout' | 'error' | 'cancelled';

/** The runner's TaskResult as printed, and the semconv pipeline result it maps to. */
export type RunnerResult = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Canceled' | 'Skipped' | 'Abandoned';
export type PipelineResult = 'success' | 'failure' | 'cancellation' | 'skip' | 'error';

export type CycleOutcome = 'job_completed' | 'idle_recycled' | 'failed' | 'aborted';

export interface SlotSnapshot {
  slot: number;
  state: SlotState;
  since: number;
  vm?: string;
  runnerName?: string;
  runnerId?: number;
  /** `repository` and `runUrl` once the runner's diagnostics named them (a moment after the start). */
  job?: { name: string; startedAt: number; repository?: string; runUrl?: string };
  imageDigest?: string;
  lastError?: { reason: FailureReason; message: string; at: number };
  retryAt?: number;
}

export type EkidenEvent =
  | { type: 'slot.state'; at: number; slot: number; state: SlotState; previous: SlotState; vm?: string; reason?: FailureReason; retryAt?: number }
  | { type: 'phase.completed'; at: number; slot: number; phase: Phase; outcome: PhaseOutcome; seconds: number; vm?: string }
  | { type: 'job.started'; at: number; slot: number; vm: string; runnerName: string; job: string }
  /** Where the running job comes from, read from the runner's diagnostics in the guest. */
  | { type: 'job.details'; at: number; slot: number; vm: string; job: string; repository: string; runId?: string; runUrl?: string }
  | {
      type: 'job.completed'; at: number; slot: number; vm: string; runnerName: string; job: string;
      runnerResult: RunnerResult; result: PipelineResult; seconds: number; imageDigest?: string; repository?: string; runUrl?: string;
    }
  | { type: 'cycle.completed'; at: number; slot: number; outcome: CycleOutcome; seconds: number; vm?: string }
  | {
      type: 'failure'; at: number; slot?: number; reason: FailureReason; message: string; detail?: string;
      phase?: Phase; vm?: string; hostWide: boolean;
    }
  | {
      type: 'host.state'; at: number; paused: boolean; draining: boolean; hostError?: { reason: FailureReason; message: string };
      /** How many slots the supervisor runs (a slot that never left `idle` has no slot.state event yet). */
      slots: number;
    }
  | { type: 'image.pulled'; at: number; ref: string; result: 'unchanged' | 'updated' | 'failed'; digest?: string; seconds: number }
  /** The image new clones use changed (first resolve, or a new digest from `tart fqn`). */
  | { type: 'image.current'; at: number; ref: string; digest: string }
  | { type: 'runner.deleted'; at: number; runnerId: number; name: string; reason: 'teardown' | 'idle_ttl' | 'sweep' | 'jit_orphan'; status: 204 | 404 | 422 }
  | {
      type: 'vm.inventory'; at: number; vms: { name: string; owner: 'ekiden' | 'other'; state: 'running' | 'suspended' | 'stopped' }[];
      /** Bytes of the OCI cache: digest entries of `tart list` (GB × 10⁹). */
      ociCacheBytes?: number;
    }
  | { type: 'runner.version'; at: number; slot: number; version: string }
  /** The newest osx/arm64 runner GitHub offers (`…/runners/downloads`). */
  | { type: 'runner.latest'; at: number; version: string }
  /** One HTTP attempt to the GitHub API (the transport's call record; never carries secrets). */
  | {
      type: 'github.call'; at: number; method: string; urlTemplate: string; serverAddress: string; status: number | null;
      seconds: number; errorType?: string; rateLimit?: { resource: string; remaining: number; limit?: number };
    }
  /** The latest preflight or doctor results. `values` holds extra measurements (dhcp_leases: active, expired). */
  | { type: 'host.checks'; at: number; checks: { id: CheckId; status: CheckStatus; value?: number; values?: Record<string, number> }[] }
  | { type: 'log'; entry: LogEntry };

export interface LogEntry {
  seq: number;
  ts: number;
  level: LogLevel;
  scope: string;
  source: LogSource;
  slot?: number;
  vm?: string;
  job?: string;
  text: string;
}

export type EventOf<T extends EkidenEvent['type']> = Extract<EkidenEvent, { type: T }>;
