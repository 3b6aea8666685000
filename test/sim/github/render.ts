// Renders state records into GitHub's REST shapes (typed by @octokit/openapi-types).
import { isoSeconds } from './clock';
import { scopePath } from './state';
import type {
  App,
  AppBody,
  Enterprise,
  Installation,
  InstallationBody,
  Job,
  JobBody,
  Label,
  RepositoryBody,
  RunnerBody,
  RunnerGroup,
  RunnerGroupBody,
  RunnerLabelBody,
  RunnerRec,
  Schemas,
  SimpleUserBody,
} from './types';
import { base64url } from './util';

export interface Urls {
  /** Web base, e.g. http://127.0.0.1:PORT */
  base: string;
  /** REST base: base, or base + /api/v3 in ghes mode. */
  api: string;
}

const nodeId = (kind: string, id: number) => base64url(`0${kind}${id}`);

export function simpleUser(urls: Urls, login: string, id: number, type: string): SimpleUserBody {
  const u = `${urls.api}/users/${login}`;
  return {
    login,
    id,
    node_id: nodeId('U', id),
    avatar_url: `${urls.base}/avatars/u/${id}?v=4`,
    gravatar_id: '',
    url: u,
    html_url: `${urls.base}/${login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type,
    site_admin: false,
    user_view_type: 'public',
  };
}

export function enterpriseBody(urls: Urls, e: Enterprise): Schemas['enterprise'] {
  return {
    id: e.id,
    node_id: nodeId('E', e.id),
    name: e.slug,
    slug: e.slug,
    html_url: `${urls.base}/enterprises/${e.slug}`,
    created_at: null,
    updated_at: null,
    avatar_url: `${urls.base}/avatars/b/${e.id}?v=4`,
  };
}

export function labelBody(l: Label): RunnerLabelBody {
  return { id: l.id, name: l.name, type: l.type };
}

export function runnerBody(r: RunnerRec, online: boolean): RunnerBody {
  return {
    id: r.id,
    name: r.name,
    os: r.os,
    status: online ? 'online' : 'offline',
    busy: r.jobId !== undefined,
    ephemeral: r.ephemeral,
    runner_group_id: r.runnerGroupId,
    version: r.version,
    labels: r.labels.map(labelBody),
  };
}

export function groupBody(urls: Urls, g: RunnerGroup): RunnerGroupBody {
  const [kind, owner] = g.scopeKey.split(':') as [string, string];
  const prefix = kind === 'enterprise' ? `${urls.api}/enterprises/${owner}` : `${urls.api}/orgs/${owner}`;
  const body: RunnerGroupBody = {
    id: g.id,
    name: g.name,
    visibility: g.visibility,
    default: g.isDefault,
    runners_url: `${prefix}/actions/runner-groups/${g.id}/runners`,
    inherited: false,
    allows_public_repositories: g.allowsPublicRepositories,
    restricted_to_workflows: g.restrictedToWorkflows,
    selected_workflows: g.selectedWorkflows,
    workflow_restrictions_read_only: false,
  };
  if (g.visibility === 'selected') body.selected_repositories_url = `${prefix}/actions/runner-groups/${g.id}/repositories`;
  return body;
}

export function installationBody(urls: Urls, inst: Installation, app: App): InstallationBody {
  return {
    id: inst.id,
    account: simpleUser(urls, inst.account.login, inst.account.id, inst.account.type),
    repository_selection: inst.repositorySelection,
    access_tokens_url: `${urls.api}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.base}/organizations/${inst.account.login}/settings/installations/${inst.id}`,
    app_id: app.id,
    client_id: app.clientId,
    app_slug: app.slug,
    target_id: inst.account.id,
    target_type: inst.account.type,
    permissions: inst.permissions as Schemas['app-permissions'],
    events: [...app.events],
    created_at: isoSeconds(inst.createdAt),
    updated_at: isoSeconds(inst.createdAt),
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: inst.suspendedAt === null ? null : isoSeconds(inst.suspendedAt),
  };
}

export function appBody(urls: Urls, app: App, ownerId: number): AppBody {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId('A', app.id),
    client_id: app.clientId,
    owner: simpleUser(urls, app.ownerLogin, ownerId, 'Organization'),
    name: app.name,
    description: null,
    external_url: `${urls.base}/apps/${app.slug}`,
    html_url: `${urls.base}/apps/${app.slug}`,
    created_at: isoSeconds(app.createdAt),
    updated_at: isoSeconds(app.createdAt),
    permissions: app.permissions as AppBody['permissions'],
    events: [...app.events],
  };
}

/** The subset of a repository object the fake returns inside installation tokens. */
export type TokenRepositoryBody = Pick<RepositoryBody, 'id' | 'node_id' | 'name' | 'full_name' | 'private' | 'html_url' | 'url'>;

export function tokenRepositoryBody(urls: Urls, owner: string, name: string, id: number, priv: boolean): TokenRepositoryBody {
  return {
    id,
    node_id: nodeId('R', id),
    name,
    full_name: `${owner}/${name}`,
    private: priv,
    html_url: `${urls.base}/${owner}/${name}`,
    url: `${urls.api}/repos/${owner}/${name}`,
  };
}

export function jobBody(urls: Urls, j: Job): JobBody {
  const repoApi = `${urls.api}/repos/${j.repo}`;
  return {
    id: j.id,
    run_id: j.runId,
    run_url: `${repoApi}/actions/runs/${j.runId}`,
    run_attempt: 1,
    node_id: nodeId('J', j.id),
    head_sha: j.headSha,
    url: `${repoApi}/actions/jobs/${j.id}`,
    html_url: `${urls.base}/${j.repo}/actions/runs/${j.runId}/job/${j.id}`,
    status: j.status,
    conclusion: j.conclusion,
    created_at: isoSeconds(j.createdAt),
    started_at: isoSeconds(j.startedAt ?? j.createdAt),
    completed_at: j.completedAt === null ? null : isoSeconds(j.completedAt),
    name: j.name,
    steps: [],
    check_run_url: `${repoApi}/check-runs/${j.id}`,
    labels: [...j.labels],
    runner_id: j.runnerId,
    runner_name: j.runnerName,
    runner_group_id: j.runnerGroupId,
    runner_group_name: j.runnerGroupName,
    workflow_name: j.workflowName,
    head_branch: 'main',
  };
}

/** `<base>/<owner>[/<repo>]` or `<base>/enterprises/<e>`: the URL config.sh --url takes. */
export function gitHubUrl(urls: Urls, scope: RunnerRec['scope']): string {
  switch (scope.kind) {
    case 'repo':
      return `${urls.base}/${scope.owner}/${scope.repo}`;
    case 'org':
      return `${urls.base}/${scope.org}`;
    case 'enterprise':
      return `${urls.base}/enterprises/${scope.enterprise}`;
  }
}

export { scopePath };
