import type { GitHubOctokit } from './transport';

/** Bound on pages followed (100 per page): no unbounded loops, even if GitHub keeps saying "next". */
export const MAX_PAGES = 50;

/**
 * Follows `Link: rel="next"` page by page (github.md §1) with the route template kept, so telemetry
 * sees `url.template` rather than concrete paths. `key` names the array inside `{total_count, <key>}`
 * answers; without it the answer itself is the array.
 */
export async function paginateRoute<T>(
  octokit: GitHubOctokit,
  route: string,
  params: Record<string, unknown>,
  key?: string,
): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const res = await octokit.request(route, { ...params, per_page: 100, page });
    const data = res.data as unknown;
    const chunk = (key ? (data as Record<string, unknown> | null)?.[key] : data) as T[] | undefined;
    if (Array.isArray(chunk)) items.push(...chunk);
    if (!/rel="next"/.test(String(res.headers.link ?? ''))) break;
  }
  return items;
}
