// Payloads of the IPC contract. Type-only imports from the core: nothing here runs, so the renderer
// and the preload can import it without pulling in Node code.
import type { DoctorRow } from '../cli/commands/doctor';
import type { ConfigIssue } from '../core/config/config-error';
import type { SecretRef } from '../core/config/secret-ref';
import type { LogEntry, PipelineResult, RunnerResult, SlotSnapshot, SlotState } from '../core/events/types';
import type { CheckId } from '../core/host/preflight';
import type { HostSnapshot } from '../core/runner/supervisor';
import type { CycleStep, CycleTimeline, StepTiming } from '../core/telemetry/cycle-timeline';
import type { ErrorInfo } from './envelope';

export type { ConfigIssue, CycleStep, CycleTimeline, DoctorRow, HostSnapshot, LogEntry, SecretRef, SlotSnapshot, SlotState, StepTiming };

export interface AppInfo {
  name: string;
  version: string;
  platform: string;
  configPath: string;
  logsDir: string;
  startAtLogin: boolean;
}

/**
 * What the app's host controller is doing. `unconfigured`: no config file yet; `error`: the config,
 * its secrets or the first connection failed (see `problem`); `restarting`: applying settings
 * that need a new host (after running jobs finish).
 */
export type ServiceStatus = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'unconfigured' | 'error';

export interface ServiceState {
  status: ServiceStatus;
  problem?: ErrorInfo & { issues?: ConfigIssue[] };
}

export interface JobRecord {
  at: number;
  slot: number;
  vm: string;
  runnerName: string;
  job: string;
  result: PipelineResult;
  runnerResult: RunnerResult;
  seconds: number;
  imageDigest?: string;
  /** `owner/name` and the run on GitHub, when the runner's diagnostics named them. */
  repository?: string;
  runUrl?: string;
  /**
   * The job's cycle step by step (pull … idle, job, finishing, teardown); finishing and teardown
   * join once they end. `idle` is how long the runner waited for this job. GitHub's queue time is
   * not here: the runner names only the job, and the job's REST record needs its repo and id.
   */
  phases: StepTiming[];
  /** The whole cycle, from preparing to the end of teardown, once it ended. */
  cycleSeconds?: number;
}

/** A preflight check that warns or fails, with its fix. */
export interface HostWarning {
  check: CheckId;
  status: 'warn' | 'fail';
  message: string;
  fix?: string;
}

/** What the host header shows besides the loop: free disk and the preflight's warnings, re-read now and then. */
export interface HostHealth {
  /** Free space on the volume that holds TART_HOME (statfs, about once a minute). */
  disk?: { tartHome: string; mountpoint: string; freeBytes: number; usedBytes: number; at: number };
  /** Why the free space could not be read. */
  diskProblem?: string;
  /** warn and fail rows of the latest host preflight (every few minutes). */
  warnings: HostWarning[];
  /** When the preflight last ran; absent until it has. */
  checkedAt?: number;
}

/** Everything the window shows apart from logs. `rev` grows with every change main sends. */
export interface AppSnapshot {
  rev: number;
  app: AppInfo;
  service: ServiceState;
  /** null until a host has been created from a valid configuration. */
  host: HostSnapshot | null;
  /** The newest completed jobs, newest last. */
  recentJobs: JobRecord[];
  /** Each slot's current cycle (or its last one, between cycles), by slot. */
  cycles: CycleTimeline[];
  /** null until a host runs. */
  health: HostHealth | null;
}

export type SnapshotParts = Omit<AppSnapshot, 'rev'>;

/** `state:patch`: the top-level parts that changed since `baseRev`, each replaced whole. */
export interface StatePatch {
  rev: number;
  baseRev: number;
  changes: Partial<SnapshotParts>;
}

/** `logs:append`: ring-buffer entries (already redacted), seq ascending and contiguous per batch. */
export interface LogBatch {
  entries: LogEntry[];
}

export interface ActionAck {
  accepted: true;
}

export interface SecretStatus {
  /** The config field, e.g. `github.auth.privateKey`. */
  field: string;
  /** Where the secret lives (a name, a variable or a path), never its value. */
  ref: SecretRef;
  set: boolean;
  /** Why it cannot be read, with the fix. */
  problem?: string;
}

export interface SettingsView {
  configPath: string;
  /** The local config file as written; null when there is none yet. */
  input: unknown;
  /** Problems of the configuration in effect (local file with managed settings laid over it). */
  issues: ConfigIssue[];
  /** Each field's description from the config schema, by path (`vm.slots`, `github.scope.org`). */
  descriptions: Record<string, string>;
  /** The config's JSON Schema (input side): types, defaults, enums for the form. */
  schema: Record<string, unknown>;
  /** Paths set by the organisation (MDM); the UI shows them read-only. */
  managedPaths: string[];
  managedSources: string[];
  /** Whether each secret the config refers to can be read. Never a value. */
  secrets: SecretStatus[];
  /** Names held in the app's secret store. */
  storedSecrets: string[];
}

export interface ValidationResult {
  ok: boolean;
  issues: ConfigIssue[];
}

/**
 * `between-cycles`: the running host takes the settings before its next cycle. `after-restart`: the
 * settings need a new host (credentials, slots, tart, telemetry): it replaces the old one once
 * running jobs finish. `on-start`: no host was running; one is starting. `not-applied`: saved, but
 * the configuration in effect cannot be loaded yet (e.g. a secret is missing): see `service.problem`.
 */
export type ApplyMode = 'between-cycles' | 'after-restart' | 'on-start' | 'not-applied';

export type SaveResult = { ok: true; applies: ApplyMode } | { ok: false; issues: ConfigIssue[] };

export interface SecretSetResult {
  name: string;
  set: true;
}

export interface DoctorReport {
  ok: boolean;
  rows: DoctorRow[];
}

export type ConnectionTarget = 'github' | 'registry' | 'guest';
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface ConnectionReport {
  target: ConnectionTarget;
  status: CheckStatus;
  rows: { check: string; status: CheckStatus; message: string; fix?: string }[];
}

export interface OpenedPath {
  path: string;
}

export interface ReadyAck {
  /** Pushes that waited for the renderer and were sent now. */
  flushed: number;
}
