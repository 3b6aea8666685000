import { createPrivateKey } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import { EkidenError } from '../errors';
import { systemClock, type Clock } from '../util/clock';
import { nullLogger, type Logger } from '../util/logger';
import { httpFailureOf, toGitHubApiError, GitHubApiError } from './api-errors';
import { scopeLabel, type CredentialKind, type GitHubCredentials, type GitHubScope, type GitHubSettings } from './github-config';
import { paginateRoute } from './paginate';
import { scopeRoutes } from './scope';
import { apiPath, buildOctokit, TransportState, type GitHubOctokit, type TransportOptions } from './transport';
import { resolveEndpoints, runnerUrlFor, type GitHubEndpoints } from './urls';

/** The App installation that serves the configured scope. */
export interface InstallationInfo {
  id: number;
  accountLogin: string;
  targetType: string;
  repositorySelection: 'all' | 'selected' | string;
  permissions: Record<string, string>;
  suspendedAt: string | null;
}

/** An authenticated, scope-bound connection: what the client and the access check work on. */
export interface GitHubConnection {
  readonly octokit: GitHubOctokit;
  readonly settings: GitHubSettings;
  readonly endpoints: GitHubEndpoints;
  /** What `config.sh --url` takes for this scope. */
  readonly runnerUrl: string;
  readonly credentialKind: CredentialKind;
  /** App credentials only: the installation, when it was looked up (no installationId configured). */
  readonly installation?: InstallationInfo;
  /** App credentials only: an Octokit that signs with the App JWT (for `/app` and installation routes). */
  readonly appOctokit?: GitHubOctokit;
  readonly state: TransportState;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly options: TransportOptions;
}

/** Rejects credential/scope combinations GitHub cannot serve (github.md §3), before any request. */
export function validateCredentials(settings: GitHubSettings): void {
  const { credentials: c, scope } = settings;
  if (scope.kind === 'enterprise' && c.kind !== 'classic_pat') {
    const what = c.kind === 'app' ? 'a GitHub App' : 'a fine-grained token';
    throw new EkidenError(
      'config_invalid',
      `You cannot authenticate using ${what} for runners at the enterprise level: use a classic PAT with the manage_runners:enterprise scope (github.credentials)`,
    );
  }
  if (c.kind === 'app') {
    if (!c.clientId && (c.appId === undefined || c.appId === '')) {
      throw new EkidenError('config_invalid', 'github.credentials: set the GitHub App client ID (or App ID)');
    }
    normalizePrivateKey(c.privateKey);
  } else if (!c.token.trim()) {
    throw new EkidenError('config_invalid', 'github.credentials: the token is empty');
  }
}

/** Accepts PKCS#8 and PKCS#1 PEM, with real or `\n`-escaped newlines; never echoes the key. */
export function normalizePrivateKey(raw: string): string {
  const pem = raw.replace(/\\n/g, '\n').replace(/\r\n/g, '\n').trim() + '\n';
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw new EkidenError(
      'config_invalid',
      'github.credentials: the App private key is not an RSA private key in PEM form (paste the whole .pem file GitHub generated)',
    );
  }
  return pem;
}

/** Routes auth-app signs with the App JWT (github.md §3); everything else needs an installation token. */
function isJwtRoute(path: string): boolean {
  return /^\/app(\/|$)/.test(path) || /^\/(orgs|users|enterprises)\/[^/]+\/installation$/.test(path) || /^\/repos\/[^/]+\/[^/]+\/installation$/.test(path);
}

function appAuthOptions(c: Extract<GitHubCredentials, { kind: 'app' }>, installationId?: number) {
  return {
    // The client ID is the recommended JWT `iss`; auth-app calls it appId either way.
    appId: c.clientId || String(c.appId),
    privateKey: normalizePrivateKey(c.privateKey),
    ...(installationId ? { installationId } : {}),
  };
}

/**
 * Mints installation tokens through octokit's own request chain, so auth-app's clock-skew
 * correction applies to them (its internal path does not), and retries once with a fresh token on
 * a 401 (a cached token can outlive the real one, e.g. after the host slept).
 */
function installAppTokenHook(octokit: GitHubOctokit, onSecret?: (s: string) => void): void {
  let lastToken = '';
  const ensureToken = async (refresh: boolean) => {
    const auth = (await octokit.auth({ type: 'installation', refresh })) as { token: string };
    if (auth.token !== lastToken) {
      lastToken = auth.token;
      onSecret?.(auth.token);
    }
  };
  octokit.hook.wrap('request', async (request, options) => {
    if (isJwtRoute(apiPath(options))) return request(options);
    await ensureToken(false);
    try {
      return await request(options);
    } catch (e) {
      if (httpFailureOf(e).status !== 401) throw e;
      await ensureToken(true);
      return request(options);
    }
  });
}

function toInstallationInfo(data: Record<string, unknown>): InstallationInfo {
  const account = (data.account ?? {}) as { login?: string };
  return {
    id: Number(data.id),
    accountLogin: String(account.login ?? ''),
    targetType: String(data.target_type ?? ''),
    repositorySelection: String(data.repository_selection ?? ''),
    permissions: (data.permissions ?? {}) as Record<string, string>,
    suspendedAt: (data.suspended_at as string | null | undefined) ?? null,
  };
}

function ownerOf(scope: GitHubScope): string {
  return scope.kind === 'repo' ? scope.owner : scope.kind === 'org' ? scope.org : scope.enterprise;
}

/**
 * Finds the App installation for the scope with the JWT: `GET /orgs/{org}/installation` or
 * `/repos/{o}/{r}/installation`. On 404 it lists the App's installations and matches the owner's
 * login case-insensitively (shapehq/tartelet#55), which also tells "installed, but this repository
 * is not selected" apart from "not installed".
 */
export async function resolveInstallation(appOctokit: GitHubOctokit, scope: GitHubScope, clock: Clock = systemClock): Promise<InstallationInfo> {
  const routes = scopeRoutes(scope);
  const ctx = { operation: 'find-installation', scope, credentialKind: 'app' as const, now: clock.now() };
  try {
    const res = await appOctokit.request(routes.installation, { ...routes.params });
    return toInstallationInfo(res.data as Record<string, unknown>);
  } catch (e) {
    if (httpFailureOf(e).status !== 404) throw toGitHubApiError(e, { ...ctx, now: clock.now() });
  }
  const owner = ownerOf(scope).toLowerCase();
  let installations: Record<string, unknown>[];
  try {
    installations = await paginateRoute<Record<string, unknown>>(appOctokit, 'GET /app/installations', {});
  } catch (e) {
    throw toGitHubApiError(e, { ...ctx, now: clock.now() });
  }
  const match = installations.map(toInstallationInfo).find((i) => i.accountLogin.toLowerCase() === owner);
  if (match && (scope.kind !== 'repo' || match.repositorySelection === 'all')) return match;
  const message = match
    ? `GitHub App installed on ${match.accountLogin} but ${scopeLabel(scope)} is not selected in the installation: add the repository to it`
    : `GitHub App not installed on ${scope.kind === 'repo' ? scopeLabel(scope) : ownerOf(scope)}: install it from the App's settings page`;
  throw new GitHubApiError('github_not_found', message, { operation: 'find-installation', status: 404, githubMessage: 'Not Found' });
}

/**
 * Builds the authenticated Octokit for the configured credentials and scope. For an App without an
 * installation id, the installation is resolved first (JWT routes only).
 */
export async function connectGitHub(settings: GitHubSettings, options: TransportOptions = {}): Promise<GitHubConnection> {
  validateCredentials(settings);
  const endpoints = resolveEndpoints(settings);
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? nullLogger).child({ scope: 'github' });
  const opts: TransportOptions = { ...options, clock, logger };
  const state = new TransportState();
  const c = settings.credentials;
  const common = {
    settings,
    endpoints,
    runnerUrl: runnerUrlFor(endpoints.webUrl, settings.scope),
    credentialKind: c.kind,
    state,
    clock,
    logger,
    options: opts,
  };

  if (c.kind !== 'app') {
    options.onSecret?.(c.token);
    const { octokit } = buildOctokit(endpoints.apiUrl, { auth: c.token.trim() }, opts, state);
    return { ...common, octokit };
  }

  const { octokit: appOctokit } = buildOctokit(endpoints.apiUrl, { authStrategy: createAppAuth, auth: appAuthOptions(c) }, opts, state);
  const installation = c.installationId
    ? undefined
    : await resolveInstallation(appOctokit, settings.scope, clock);
  const installationId = c.installationId ?? installation!.id;
  if (installation?.suspendedAt) {
    throw new GitHubApiError('github_permission', `The GitHub App installation on ${installation.accountLogin} is suspended: unsuspend it in the owner's settings`, {
      operation: 'find-installation',
    });
  }
  const { octokit } = buildOctokit(endpoints.apiUrl, { authStrategy: createAppAuth, auth: appAuthOptions(c, installationId) }, opts, state);
  installAppTokenHook(octokit, options.onSecret);
  return { ...common, octokit, installation, appOctokit };
}
