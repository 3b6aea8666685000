// A small route table for the REST surface. `{scope}` expands to the repo, org and enterprise
// prefixes; `:name` matches a path segment and `#name` a numeric one.
import type { Credential, Need } from './auth';
import type { Ctx } from './http';
import type { Sim } from './sim';
import type { Scope } from './types';

export type RouteAuth = 'jwt' | 'token' | 'installation-token' | 'optional';

export interface RouteCall {
  sim: Sim;
  ctx: Ctx;
  params: Record<string, string>;
  cred: Credential | null;
  /** Set for scoped routes. */
  scope: Scope;
}

export interface RestRoute {
  method: string;
  pattern: string;
  /** Stable name used by fault selectors, e.g. `generate-jitconfig`. */
  name: string;
  auth: RouteAuth;
  /** Scoped routes are authorized against their scope with this need. */
  need?: Need;
  /** Scope kinds a `{scope}` pattern expands to (default all three). */
  scopes?: Scope['kind'][];
  /** Counts toward the primary rate limit (default true). */
  counts?: boolean;
  handle(call: RouteCall): void | Promise<void>;
}

interface Compiled {
  route: RestRoute;
  regex: RegExp;
  keys: string[];
}

const SCOPE_PREFIX: Record<Scope['kind'], string> = {
  repo: '/repos/:owner/:repo',
  org: '/orgs/:org',
  enterprise: '/enterprises/:enterprise',
};

function compile(route: RestRoute, pattern: string): Compiled {
  const keys: string[] = [];
  const source = pattern
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        keys.push(seg.slice(1));
        return '([^/]+)';
      }
      if (seg.startsWith('#')) {
        keys.push(seg.slice(1));
        return '(\\d+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, regex: new RegExp(`^${source}/?$`), keys };
}

export class Router {
  private table: Compiled[] = [];

  add(routes: RestRoute[]): void {
    for (const r of routes) {
      if (r.pattern.includes('{scope}')) {
        for (const kind of r.scopes ?? (['repo', 'org', 'enterprise'] as const)) {
          this.table.push(compile(r, r.pattern.replace('{scope}', SCOPE_PREFIX[kind])));
        }
      } else this.table.push(compile(r, r.pattern));
    }
  }

  match(method: string, path: string): { route: RestRoute; params: Record<string, string> } | null {
    for (const c of this.table) {
      if (c.route.method !== method) continue;
      const m = c.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      c.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
      return { route: c.route, params };
    }
    return null;
  }
}

export function scopeFromParams(params: Record<string, string>): Scope | null {
  if (params.owner !== undefined && params.repo !== undefined) return { kind: 'repo', owner: params.owner, repo: params.repo };
  if (params.org !== undefined) return { kind: 'org', org: params.org };
  if (params.enterprise !== undefined) return { kind: 'enterprise', enterprise: params.enterprise };
  return null;
}
