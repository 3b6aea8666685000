import { EkidenError } from '../errors';
import type { GitHubScope, GitHubSettings } from './github-config';

export interface GitHubEndpoints {
  /** REST base URL without a trailing slash. */
  apiUrl: string;
  /** Web URL (what `config.sh --url` and the JIT `GitHubUrl` are built from), no trailing slash. */
  webUrl: string;
  /** GHES serves REST under /api/v3 and may lack generate-jitconfig (github.md §8.7). */
  ghes: boolean;
}

const DOTCOM = 'https://github.com';

/** Hosts whose API lives at `api.<host>`; every other host serves `/api/v3` (github.md §1, as actions/runner does). */
function isHostedHost(host: string): boolean {
  return host === 'github.com' || host === 'github.localhost' || host.endsWith('.ghe.com');
}

function parseUrl(raw: string, field: string): URL {
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
    return url;
  } catch {
    throw new EkidenError('config_invalid', `github.${field} is not a valid http(s) URL: ${raw}`);
  }
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

/** Web URL from an API URL: api.<host> -> <host>, <origin>/api/v3 -> <origin>, anything else -> its origin. */
function webUrlFromApi(api: URL): string {
  const host = api.host.toLowerCase();
  if (host.startsWith('api.') && isHostedHost(host.slice(4))) return `${api.protocol}//${api.host.slice(4)}`;
  return api.origin;
}

/** Derives the REST and web URLs from the configuration (github.md §1). */
export function resolveEndpoints(settings: Pick<GitHubSettings, 'serverUrl' | 'apiUrl'>): GitHubEndpoints {
  if (settings.apiUrl) {
    const api = parseUrl(settings.apiUrl, 'apiUrl');
    const apiUrl = trimSlash(api.href);
    const webUrl = settings.serverUrl ? trimSlash(parseUrl(settings.serverUrl, 'serverUrl').origin) : webUrlFromApi(api);
    return { apiUrl, webUrl, ghes: /\/api\/v3$/.test(apiUrl) };
  }
  const server = parseUrl(settings.serverUrl || DOTCOM, 'serverUrl');
  let host = server.host.toLowerCase();
  if (host === 'www.github.com') host = 'github.com';
  if (host.startsWith('api.') && isHostedHost(host.slice(4))) host = host.slice(4);
  if (isHostedHost(host)) {
    return { apiUrl: `${server.protocol}//api.${host}`, webUrl: `${server.protocol}//${host}`, ghes: false };
  }
  return { apiUrl: `${server.origin}/api/v3`, webUrl: server.origin, ghes: true };
}

/** The URL `config.sh --url` takes for a scope: <web>/<owner>/<repo>, <web>/<org> or <web>/enterprises/<slug>. */
export function runnerUrlFor(webUrl: string, scope: GitHubScope): string {
  switch (scope.kind) {
    case 'repo':
      return `${webUrl}/${scope.owner}/${scope.repo}`;
    case 'org':
      return `${webUrl}/${scope.org}`;
    case 'enterprise':
      return `${webUrl}/enterprises/${scope.enterprise}`;
  }
}
