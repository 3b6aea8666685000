// The private channel between the fake GitHub server and the fake runner (github.md §9.6).
// Shared by both sides so they cannot drift. Not a GitHub API.

/** Every response of the fake carries it; the fake runner multiplies all its waits by it. */
export const TIME_SCALE_HEADER = 'x-fake-time-scale';

export type JobResult = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Canceled' | 'Skipped' | 'Abandoned';
export const JOB_RESULTS: readonly JobResult[] = [
  'Succeeded',
  'SucceededWithIssues',
  'Failed',
  'Canceled',
  'Skipped',
  'Abandoned',
];

export interface SessionRequest {
  agentId: string;
  secret: string;
  version: string;
  os: string;
}

export interface SessionCreated {
  sessionId: string;
  /** Fault runner.crash: the listener kills itself (SIGKILL) this many (scaled) seconds after connecting. */
  crashAfterS?: number;
  /** Fault runner.hang: the listener goes silent and never exits after this many (scaled) seconds. */
  hangAfterS?: number;
  /** With hangAfterS: count from the job's completion line instead of the session start. */
  hangAfterJob?: boolean;
}

export interface ChannelError {
  error: 'invalid_client' | 'runner_not_found' | 'session_conflict' | 'version_deprecated' | 'unavailable' | 'access_denied' | 'session_not_found' | string;
  message?: string;
}

export type ChannelMessage =
  /** `repository`, `runId` and `serverUrl` feed the worker's job message (the real one's contextData.github). */
  | { type: 'job'; job: { id: number; displayName: string; durationMs: number; result: JobResult; repository: string; runId: number; serverUrl: string } }
  /** `retryable` is set under the fault runner.cancel_retryable: the listener then exits 2 after the job. */
  | { type: 'cancel'; jobId: number; retryable?: boolean }
  | { type: 'update'; version: string }
  /** Fault runner.retryable_crash: the listener fails with `message` and exits 2. */
  | { type: 'crash'; message: string };

export interface CompleteRequest {
  sessionId: string;
  jobId: number;
  result: JobResult;
}

export interface RegisterRequest {
  adminToken: string;
  name: string;
  labels: string[];
  runnerGroup?: string;
  ephemeral: boolean;
  replace: boolean;
  disableUpdate: boolean;
  noDefaultLabels: boolean;
  workFolder: string;
}

export interface RegisterResponse {
  agentId: string;
  secret: string;
  poolId: string;
  replaced: boolean;
}

export interface RemoveRequest {
  adminToken: string;
  agentId: string;
}

/** `.runner` of a JIT config or of config.sh (RunnerSettings; ids are strings). */
export interface RunnerSettingsFile {
  AgentId: string;
  AgentName: string;
  PoolId: string;
  PoolName: string | null;
  ServerUrl: string;
  GitHubUrl: string;
  WorkFolder: string;
  Ephemeral: boolean;
  DisableUpdate: boolean;
}

/** `.credentials`: the fake keeps its session secret in Data.fakeSecret. */
export interface CredentialsFile {
  Scheme: 'OAuth';
  Data: { clientId: string; authorizationUrl: string; requireFipsCryptography: string; fakeSecret: string };
}

/** Reply of POST /actions/runner-registration. */
export interface RunnerRegistrationReply {
  url: string;
  token_schema: 'OAuthAccessToken';
  token: string;
  use_v2_flow: boolean;
}

/** ServerUrl of the fake is `<base>/_fake/actions/`; the channel lives at `<base>/_fake/runner/`. */
export function channelBaseFromServerUrl(serverUrl: string): string {
  return serverUrl.replace(/\/?_fake\/actions\/?$/, '');
}
