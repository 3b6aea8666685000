import type { GitHubScope } from './github-config';

type Method = 'GET' | 'POST' | 'DELETE';

/**
 * REST routes of one scope (github.md §2). Routes keep their `{placeholders}` so octokit fills and
 * encodes them and telemetry sees the URL template. Enterprise routes have no octokit method, so
 * everything goes through `octokit.request(route, params)`.
 */
export interface ScopeRoutes {
  readonly scope: GitHubScope;
  /** `/repos/{owner}/{repo}`, `/orgs/{org}` or `/enterprises/{enterprise}`. */
  readonly prefix: string;
  /** Values of the prefix placeholders. */
  readonly params: Readonly<Record<string, string>>;
  /** `<METHOD> <prefix>/actions/runners<suffix>`. */
  runners(method: Method, suffix?: string): string;
  /** Runner-group listing; null for repo scope (repo runners live in group 1). */
  readonly runnerGroups: string | null;
  /** JWT route that finds the App installation for this scope. */
  readonly installation: string;
}

export function scopeRoutes(scope: GitHubScope): ScopeRoutes {
  const [prefix, params, groups] = ((): [string, Record<string, string>, string | null] => {
    switch (scope.kind) {
      case 'repo':
        return ['/repos/{owner}/{repo}', { owner: scope.owner, repo: scope.repo }, null];
      case 'org':
        return ['/orgs/{org}', { org: scope.org }, 'GET /orgs/{org}/actions/runner-groups'];
      case 'enterprise':
        return ['/enterprises/{enterprise}', { enterprise: scope.enterprise }, 'GET /enterprises/{enterprise}/actions/runner-groups'];
    }
  })();
  return {
    scope,
    prefix,
    params,
    runners: (method, suffix = '') => `${method} ${prefix}/actions/runners${suffix}`,
    runnerGroups: groups,
    installation: `GET ${prefix}/installation`,
  };
}
