/** What the run loop needs from GitHub. Implemented with @octokit/rest (github/octokit-client.ts). */
export interface RunnerLabel {
  id?: number;
  name: string;
  type?: 'read-only' | 'custom';
}

export interface RunnerRecord {
  id: number;
  name: string;
  os: string;
  status: 'online' | 'offline';
  busy: boolean;
  ephemeral?: boolean;
  version?: string | null;
  labels: RunnerLabel[];
  runner_group_id?: number;
}

export interface JitRunner {
  runner: RunnerRecord;
  /** Secret until consumed by the runner: register it with the redactor, send only over stdin. */
  encodedJitConfig: string;
}

export type DeleteOutcome = 'deleted' | 'not-found' | 'busy';

/** Why a runner registration is deleted (telemetry `ekiden.deletion.reason`). */
export type RunnerDeletionReason = 'teardown' | 'idle_ttl' | 'sweep' | 'jit_orphan';

export interface RegistrationToken {
  token: string;
  expiresAt: string;
}

export interface GitHubClient {
  /** The URL the runner's config.sh --url takes (https://github.com/<owner>[/<repo>] or the GHES equivalent). */
  readonly runnerUrl: string;
  /** Resolves the configured runner group (repo scope: 1; org/enterprise: by name, case-insensitive). */
  runnerGroupId(): Promise<number>;
  /**
   * generate-jitconfig with no blind retry. On a 5xx, timeout or 409 the name is looked up, an idle
   * leftover is deleted, and the error is rethrown so the caller mints again under a new name.
   */
  createJitRunner(req: { name: string; labels: string[]; runnerGroupId: number; workFolder: string }): Promise<JitRunner>;
  createRegistrationToken(): Promise<RegistrationToken>;
  getRunner(id: number): Promise<RunnerRecord | null>;
  findRunnerByName(name: string): Promise<RunnerRecord | null>;
  /**
   * 204 -> deleted, 404 -> not-found, 422 -> busy (a job raced in). `reason` and `name` only label
   * the deletion for telemetry (default reason: teardown).
   */
  deleteRunner(id: number, opts?: { reason?: RunnerDeletionReason; name?: string }): Promise<DeleteOutcome>;
  listRunners(filter?: { namePrefix?: string }): Promise<RunnerRecord[]>;
  /** Latest osx/arm64 runner version from .../runners/downloads, or null when unknown. */
  latestRunnerVersion(): Promise<string | null>;
}
