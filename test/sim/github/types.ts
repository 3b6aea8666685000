// State records of the fake GitHub server (github.md §9.2) and the GitHub response shapes they
// render to (typed by @octokit/openapi-types so they keep GitHub's shapes).
import type { components } from '@octokit/openapi-types';
import type { JobResult } from './wire';

export type Schemas = components['schemas'];
export type RunnerBody = Schemas['runner'];
export type RunnerLabelBody = Schemas['runner-label'];
export type RunnerApplicationBody = Schemas['runner-application'];
export type RunnerGroupBody = Schemas['runner-groups-org'];
export type InstallationBody = Schemas['installation'];
export type InstallationTokenBody = Schemas['installation-token'];
export type AppBody = NonNullable<Schemas['integration']>;
export type AuthenticationTokenBody = Schemas['authentication-token'];
export type JobBody = Schemas['job'];
export type RateLimitOverviewBody = Schemas['rate-limit-overview'];
export type BasicErrorBody = Schemas['basic-error'];
export type SimpleUserBody = Schemas['simple-user'];
export type RepositoryBody = Schemas['repository'];

export type Access = 'read' | 'write';
/** Permission names the fake checks; others are stored and echoed. */
export type Permissions = Record<string, Access | undefined>;

export type Mode = 'dotcom' | 'ghes';
export type TokenFormat = 'classic' | 'stateless';

export type Scope =
  | { kind: 'repo'; owner: string; repo: string }
  | { kind: 'org'; org: string }
  | { kind: 'enterprise'; enterprise: string };

export interface Enterprise {
  id: number;
  slug: string;
}

export interface Org {
  id: number;
  login: string;
  enterprise?: string;
}

export interface User {
  id: number;
  login: string;
}

export interface Repo {
  id: number;
  owner: string;
  name: string;
  private: boolean;
}

export interface App {
  id: number;
  clientId: string;
  slug: string;
  name: string;
  ownerLogin: string;
  /** null: the App has no key ("Integration must generate a public key"). */
  publicKeyPem: string | null;
  permissions: Permissions;
  events: string[];
  createdAt: number;
}

export type AccountType = 'Organization' | 'User' | 'Enterprise';

export interface Installation {
  id: number;
  appId: number;
  account: { login: string; id: number; type: AccountType };
  repositorySelection: 'all' | 'selected';
  /** Repo names (not full names) when the selection is `selected`. */
  repos: string[];
  permissions: Permissions;
  suspendedAt: number | null;
  createdAt: number;
}

export type TokenKind = 'installation' | 'classic_pat' | 'fine_grained_pat';

export interface Token {
  value: string;
  kind: TokenKind;
  installationId?: number;
  /** Classic PAT scopes. */
  scopes: string[];
  /** Fine-grained PAT and (narrowed) installation token permissions. */
  permissions: Permissions;
  /** Narrowed repositories (lower-case `owner/name`); undefined = all the credential can see. */
  repositories?: string[];
  /** Fine-grained PAT resource owner; undefined = any. */
  owner?: string;
  userIsAdmin: boolean;
  userId: number;
  userLogin: string;
  createdAt: number;
  expiresAt: number | null;
  revoked: boolean;
}

export interface RegToken {
  value: string;
  kind: 'registration' | 'remove';
  scopeKey: string;
  scope: Scope;
  expiresAt: number;
}

/** Token handed back by POST /actions/runner-registration, used by the fake config.sh. */
export interface AdminToken {
  value: string;
  scopeKey: string;
  scope: Scope;
  event: 'register' | 'remove';
  expiresAt: number;
}

export interface RunnerGroup {
  id: number;
  scopeKey: string;
  name: string;
  visibility: 'all' | 'selected' | 'private';
  isDefault: boolean;
  /** Repo full names (lower-case) for `selected`. */
  selectedRepos: string[];
  allowsPublicRepositories: boolean;
  restrictedToWorkflows: boolean;
  selectedWorkflows: string[];
}

export interface Label {
  id: number;
  name: string;
  type: 'read-only' | 'custom';
}

export interface Session {
  id: string;
  runnerId: number;
  createdAt: number;
  /** Real ms of the last request on this session. */
  lastSeen: number;
  openPolls: number;
  closed: boolean;
}

export interface RunnerRec {
  id: number;
  scopeKey: string;
  scope: Scope;
  name: string;
  os: string;
  labels: Label[];
  runnerGroupId: number;
  version: string | null;
  ephemeral: boolean;
  disableUpdate: boolean;
  workFolder: string;
  secret: string;
  registration: 'active' | 'used' | 'deleted';
  sessionId?: string;
  /** A job routed to this runner and not yet delivered. */
  assignedJobId?: number;
  /** The job the runner is running. */
  jobId?: number;
  createdAt: number;
  /** Real-ms deadline after which a used ephemeral registration is deleted. */
  deleteAt?: number;
}

export interface Job {
  id: number;
  runId: number;
  name: string;
  workflowName: string;
  repo: string;
  labels: string[];
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: JobBody['conclusion'];
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  runnerId: number | null;
  runnerName: string | null;
  runnerGroupId: number | null;
  runnerGroupName: string | null;
  durationMs: number;
  result: JobResult;
  headSha: string;
  /** Real ms when the job was routed to a runner that has not fetched it yet. */
  assignedAt?: number;
  /** Times the job was routed to a runner that never fetched it, and offered again. */
  requeues?: number;
  cancelRequested: boolean;
  cancelDelivered: boolean;
}

export interface RateLimitConfig {
  enabled: boolean;
  limit: number;
  status: 403 | 429;
}

export interface SimConfig {
  mode: Mode;
  latestRunnerVersion: string;
  minRunnerVersion: string | null;
  deleteLagMs: number;
  timeScale: number;
  rateLimit: RateLimitConfig;
  tokenFormat: TokenFormat;
  jwtLeewaySec: number;
  /** Seconds a runner list may be served from cache (0 = always fresh). */
  listCache: number;
}

export function defaultConfig(): SimConfig {
  return {
    mode: 'dotcom',
    latestRunnerVersion: '2.336.0',
    minRunnerVersion: null,
    deleteLagMs: 1000,
    timeScale: 1,
    rateLimit: { enabled: false, limit: 5000, status: 403 },
    tokenFormat: 'classic',
    jwtLeewaySec: 0,
    listCache: 0,
  };
}

export interface RequestLogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  route: string | null;
  authKind: string;
  body: unknown;
}
