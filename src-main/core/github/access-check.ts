import { createAppAuth } from '@octokit/auth-app';
import { isEkidenError } from '../errors';
import { systemClock } from '../util/clock';
import { nullLogger } from '../util/logger';
import { httpFailureOf, permissionHint, toGitHubApiError } from './api-errors';
import { connectGitHub, normalizePrivateKey, resolveInstallation, validateCredentials, type GitHubConnection, type InstallationInfo } from './auth';
import { scopeLabel, type GitHubSettings } from './github-config';
import { OctokitGitHubClient } from './octokit-client';
import { paginateRoute } from './paginate';
import { scopeRoutes } from './scope';
import { buildOctokit, TransportState, type TransportOptions } from './transport';
import { resolveEndpoints } from './urls';

export type AccessStatus = 'ok' | 'warn' | 'fail';

/** One row of `ekiden doctor` / "Test connection" (telemetry check `github_auth`). */
export interface AccessCheck {
  id: 'github_auth';
  /** Which part of the access this row is about. */
  check: 'config' | 'credentials' | 'installation' | 'permissions' | 'scope' | 'runner_group' | 'public_repos' | 'clock_skew';
  status: AccessStatus;
  message: string;
  /** What the operator does next; absent when nothing is needed. */
  fix?: string;
}

/** The worst status of a set of rows (what `ekiden.host.check.status{check=github_auth}` reports). */
export function worstStatus(rows: AccessCheck[]): AccessStatus {
  return rows.some((r) => r.status === 'fail') ? 'fail' : rows.some((r) => r.status === 'warn') ? 'warn' : 'ok';
}

/** Doctor warns past this host/GitHub clock difference (field-failures.md #36). */
export const CLOCK_SKEW_WARN_MS = 30_000;

const PUBLIC_FIX =
  'Fork pull requests of public repositories can run untrusted code on this Mac: use a runner group that does not allow public repositories, and require approval for fork PRs';

function row(check: AccessCheck['check'], status: AccessStatus, message: string, fix?: string): AccessCheck {
  return { id: 'github_auth', check, status, message, ...(fix ? { fix } : {}) };
}

/** Classic-PAT scopes needed per scope kind (github.md §3); any one of each inner list suffices. */
function missingClassicScopes(granted: string, scope: GitHubSettings['scope']['kind']): string[] {
  const have = new Set(granted.split(',').map((s) => s.trim()).filter(Boolean));
  const need: string[][] = scope === 'repo' ? [['repo']] : scope === 'org' ? [['admin:org']] : [['manage_runners:enterprise', 'admin:enterprise']];
  return need.filter((anyOf) => !anyOf.some((s) => have.has(s))).map((anyOf) => anyOf.join(' or '));
}

function appPermissionMissing(inst: InstallationInfo, scope: GitHubSettings['scope']['kind']): string | null {
  const key = scope === 'repo' ? 'administration' : 'organization_self_hosted_runners';
  return inst.permissions[key] === 'write' ? null : `${key}=${inst.permissions[key] ?? 'none'}`;
}

/**
 * Checks that the configured credentials can manage runners on the configured scope, with read-only
 * probes where GitHub offers them: App (JWT, installation, its permissions), PAT (scopes header),
 * the runner list of the scope, the runner group, public exposure and clock skew. Fine-grained PATs
 * cannot be introspected, so for them a registration token is minted (harmless; discarded).
 */
export async function checkGitHubAccess(settings: GitHubSettings, transport: TransportOptions = {}): Promise<AccessCheck[]> {
  const rows: AccessCheck[] = [];
  const where = scopeLabel(settings.scope);
  const kind = settings.credentials.kind;
  const logger = (transport.logger ?? nullLogger).child({ scope: 'github' });
  const clock = transport.clock ?? systemClock;
  const state = new TransportState();
  const withClockSkew = () => {
    const skew = state.clockSkewMs;
    if (skew !== undefined && Math.abs(skew) > CLOCK_SKEW_WARN_MS) {
      rows.push(row('clock_skew', 'warn', `This Mac's clock differs from GitHub's by ${Math.round(skew / 1000)} s`, 'Turn on "Set time and date automatically" in System Settings › General › Date & Time'));
    } else if (skew !== undefined) {
      rows.push(row('clock_skew', 'ok', `Clock in sync with GitHub (${Math.round(skew / 1000)} s)`));
    }
    return rows;
  };
  const explain = (e: unknown, operation: string) =>
    toGitHubApiError(e, { operation, scope: settings.scope, credentialKind: kind, now: clock.now() });

  try {
    validateCredentials(settings);
    resolveEndpoints(settings);
  } catch (e) {
    rows.push(row('config', 'fail', (e as Error).message, 'Fix the GitHub settings (credentials kind, scope, URL)'));
    return rows;
  }

  // 1. Credentials, and for an App its installation and permissions.
  let connection: GitHubConnection;
  if (settings.credentials.kind === 'app') {
    const c = settings.credentials;
    const endpoints = resolveEndpoints(settings);
    const { octokit: app } = buildOctokit(
      endpoints.apiUrl,
      { authStrategy: createAppAuth, auth: { appId: c.clientId || String(c.appId), privateKey: normalizePrivateKey(c.privateKey) } },
      { ...transport, logger, clock },
      state,
    );
    try {
      const res = await app.request('GET /app');
      const slug = (res.data as { slug?: string } | null)?.slug ?? String(c.clientId ?? c.appId);
      rows.push(row('credentials', 'ok', `GitHub App ${slug} authenticated`));
    } catch (e) {
      const err = explain(e, 'app-authentication');
      rows.push(row('credentials', 'fail', err.message, 'Check the App client ID / App ID and that the private key belongs to this App'));
      return withClockSkew();
    }
    let inst: InstallationInfo;
    try {
      inst = await resolveInstallation(app, settings.scope, clock);
    } catch (e) {
      const message = isEkidenError(e) ? e.message : String(e);
      rows.push(row('installation', 'fail', message, `Install the GitHub App on ${settings.scope.kind === 'repo' ? settings.scope.owner : where} and give it access to ${where}`));
      return withClockSkew();
    }
    if (inst.suspendedAt) {
      rows.push(row('installation', 'fail', `The GitHub App installation on ${inst.accountLogin} is suspended`, "Unsuspend it in the owner's settings › GitHub Apps"));
      return withClockSkew();
    }
    if (c.installationId && c.installationId !== inst.id) {
      rows.push(row('installation', 'warn', `Configured installation ${c.installationId} differs from the one serving ${where} (${inst.id})`, `Set the installation id to ${inst.id}, or leave it empty`));
    } else {
      rows.push(row('installation', 'ok', `GitHub App installed on ${inst.accountLogin} (installation ${inst.id})`));
    }
    const missing = appPermissionMissing(inst, settings.scope.kind);
    if (missing) {
      rows.push(row('permissions', 'fail', `The GitHub App lacks a permission (${missing}): ${permissionHint('app', settings.scope.kind)}`, 'Edit the App\'s permissions, then accept the new permissions on the installation'));
      return withClockSkew();
    }
    connection = await connectGitHub({ ...settings, credentials: { ...c, installationId: inst.id } }, { ...transport, logger, clock });
  } else {
    connection = await connectGitHub(settings, { ...transport, logger, clock });
    try {
      await connection.octokit.request('GET /rate_limit');
      rows.push(row('credentials', 'ok', `${kind === 'classic_pat' ? 'Classic' : 'Fine-grained'} token accepted`));
    } catch (e) {
      const err = explain(e, 'token-authentication');
      rows.push(row('credentials', 'fail', err.message, 'Create a new token and save it in Settings › GitHub'));
      return withClockSkewFrom(connection);
    }
    const scopes = connection.state.oauthScopes;
    if (kind === 'classic_pat' && scopes !== undefined) {
      const missing = missingClassicScopes(scopes, settings.scope.kind);
      if (missing.length) {
        rows.push(row('permissions', 'fail', `The classic token lacks the scope ${missing.join(', ')}: ${permissionHint(kind, settings.scope.kind)}`, 'Edit the token\'s scopes on github.com › Settings › Developer settings'));
        return withClockSkewFrom(connection);
      }
    }
  }

  // 2. The scope's runners are visible (read), and for fine-grained PATs writable.
  const routes = scopeRoutes(settings.scope);
  try {
    await connection.octokit.request(routes.runners('GET'), { ...routes.params, per_page: 1 });
    if (kind === 'fine_grained_pat') await connection.octokit.request(routes.runners('POST', '/registration-token'), { ...routes.params });
    rows.push(row('scope', 'ok', `Runners of ${where} are manageable`));
  } catch (e) {
    const err = explain(e, 'list-runners');
    const accepted = httpFailureOf(e).headers['x-accepted-github-permissions'];
    const check = err.reason === 'github_permission' ? 'permissions' : 'scope';
    // A classic PAT's granted scopes arrive on the refusal itself when /rate_limit did not carry them.
    const missing = kind === 'classic_pat' && connection.state.oauthScopes !== undefined ? missingClassicScopes(connection.state.oauthScopes, settings.scope.kind) : [];
    const message = check === 'permissions' && missing.length ? `The classic token lacks the scope ${missing.join(', ')}: ${permissionHint(kind, settings.scope.kind)}` : err.message;
    rows.push(row(check, 'fail', message, accepted ? `GitHub asks for: ${accepted}` : `Give the credentials access to ${where}`));
    return withClockSkewFrom(connection);
  }

  // 3. Runner group, and exposure to public repositories (field-failures.md #58).
  const client = new OctokitGitHubClient(connection);
  try {
    const groupId = await client.runnerGroupId();
    if (routes.runnerGroups) {
      const groups = await paginateRoute<{ id: number; name: string; allows_public_repositories?: boolean }>(
        connection.octokit,
        routes.runnerGroups,
        routes.params,
        'runner_groups',
      );
      const group = groups.find((g) => g.id === groupId);
      rows.push(row('runner_group', 'ok', `Runner group ${group?.name ?? groupId}`));
      if (group?.allows_public_repositories) {
        rows.push(row('public_repos', 'warn', `Runner group ${group.name} allows public repositories`, PUBLIC_FIX));
      }
    } else if (settings.scope.kind === 'repo') {
      const repo = await connection.octokit
        .request('GET /repos/{owner}/{repo}', { owner: settings.scope.owner, repo: settings.scope.repo })
        .then((r) => r.data as { private?: boolean })
        .catch((e: unknown) => {
          logger.log('debug', `repository visibility unknown: ${(e as Error).message}`);
          return null;
        });
      if (repo && repo.private === false) rows.push(row('public_repos', 'warn', `${where} is public`, PUBLIC_FIX));
    }
  } catch (e) {
    const message = isEkidenError(e) ? e.message : String(e);
    rows.push(row('runner_group', 'fail', message, 'Set runner.group to an existing group name, or leave it empty for the default group'));
  }
  return withClockSkewFrom(connection);

  function withClockSkewFrom(conn: GitHubConnection) {
    if (conn.state.clockSkewMs !== undefined) state.clockSkewMs = conn.state.clockSkewMs;
    return withClockSkew();
  }
}
