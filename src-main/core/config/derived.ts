// Facts computed from a valid configuration, so each rule lives in one place.
import { BUILTIN_LABELS, type EkidenConfig } from './schema';

const DOTCOM_LIKE = new Set(['github.com', 'www.github.com', 'github.localhost']);

/**
 * The REST base URL for a GitHub web URL (github.md §1): github.com, www.github.com,
 * github.localhost and *.ghe.com get `api.` prepended; any other host is GHES at `/api/v3`.
 */
export function apiBaseUrl(webUrl: string): string {
  const url = new URL(webUrl);
  const host = url.hostname.toLowerCase();
  const port = url.port ? `:${url.port}` : '';
  if (DOTCOM_LIKE.has(host) || host.endsWith('.ghe.com')) {
    // api.www.github.com does not exist; www is github.com.
    const apiHost = host === 'www.github.com' ? 'api.github.com' : `api.${host}`;
    return `${url.protocol}//${apiHost}${port}`;
  }
  return `${url.protocol}//${host}${port}/api/v3`;
}

/** The REST base URL in effect: `github.apiUrl` when set (e.g. the simulator), else derived. */
export function githubApiUrl(github: Pick<EkidenConfig['github'], 'url' | 'apiUrl'>): string {
  return github.apiUrl ?? apiBaseUrl(github.url);
}

/** The labels a runner registers with: the built-ins, then the configured ones, without case-insensitive repeats. */
export function runnerLabels(runner: Pick<EkidenConfig['runner'], 'labels'>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const label of [...BUILTIN_LABELS, ...runner.labels]) {
    const key = label.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(label);
    }
  }
  return out;
}
