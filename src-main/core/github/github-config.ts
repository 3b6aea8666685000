/**
 * What the GitHub layer needs from the configuration. The config schema (core/config) maps onto
 * these shapes; secrets (private key, token) arrive from the app's secret store.
 */
export type GitHubScope =
  | { kind: 'repo'; owner: string; repo: string }
  | { kind: 'org'; org: string }
  | { kind: 'enterprise'; enterprise: string };

export type GitHubCredentials =
  | {
      kind: 'app';
      /** Either the App's client ID (recommended as JWT `iss`) or its numeric App ID. */
      clientId?: string;
      appId?: number | string;
      /** PEM, PKCS#8 or PKCS#1 (`BEGIN RSA PRIVATE KEY`); `\n` escapes are accepted. */
      privateKey: string;
      /** Resolved from the scope when missing. */
      installationId?: number;
    }
  | { kind: 'fine_grained_pat'; token: string }
  | { kind: 'classic_pat'; token: string };

export type CredentialKind = GitHubCredentials['kind'];

export interface GitHubSettings {
  /** Web URL of the GitHub instance: https://github.com (default), https://<sub>.ghe.com, https://ghes.example.com. */
  serverUrl?: string;
  /** Explicit REST base URL; overrides the one derived from serverUrl (e.g. the simulator's http://127.0.0.1:PORT). */
  apiUrl?: string;
  scope: GitHubScope;
  credentials: GitHubCredentials;
  /** Runner group for org/enterprise scope, matched case-insensitively; '' or absent = the default group. */
  runnerGroup?: string;
}

/** `repo:<owner>/<repo>` | `org:<org>` | `enterprise:<slug>` (the telemetry resource attribute). */
export function scopeAttribute(scope: GitHubScope): string {
  switch (scope.kind) {
    case 'repo':
      return `repo:${scope.owner}/${scope.repo}`;
    case 'org':
      return `org:${scope.org}`;
    case 'enterprise':
      return `enterprise:${scope.enterprise}`;
  }
}

/** The human name of a scope, as used in messages: `acme/widgets`, `acme`, `enterprise acme-corp`. */
export function scopeLabel(scope: GitHubScope): string {
  switch (scope.kind) {
    case 'repo':
      return `${scope.owner}/${scope.repo}`;
    case 'org':
      return scope.org;
    case 'enterprise':
      return `enterprise ${scope.enterprise}`;
  }
}

/** Infers a PAT's kind from its prefix (`github_pat_` is fine-grained; `ghp_` and older tokens are classic). */
export function patKind(token: string): 'fine_grained_pat' | 'classic_pat' {
  return token.startsWith('github_pat_') ? 'fine_grained_pat' : 'classic_pat';
}
