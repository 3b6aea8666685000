// POST /actions/runner-registration (also under /api/v3), called by config.sh with
// `Authorization: RemoteAuth <registration or remove token>` (github.md §6.1, §9.4.14).
import type { Ctx } from '../http';
import { jwtLike } from '../jwt';
import type { Sim } from '../sim';
import { scopeKey } from '../state';
import type { Scope } from '../types';
import type { RunnerRegistrationReply } from '../wire';

/** Scope named by a GitHub URL: `<base>/<org>`, `<base>/<owner>/<repo>` or `<base>/enterprises/<e>`. */
export function scopeFromGitHubUrl(url: string): Scope | null {
  let parts: string[];
  try {
    parts = new URL(url).pathname.split('/').filter(Boolean);
  } catch {
    return null;
  }
  if (parts.length === 2 && parts[0].toLowerCase() === 'enterprises') return { kind: 'enterprise', enterprise: parts[1] };
  if (parts.length === 2) return { kind: 'repo', owner: parts[0], repo: parts[1] };
  if (parts.length === 1) return { kind: 'org', org: parts[0] };
  return null;
}

export function handleRunnerRegistration(sim: Sim, ctx: Ctx): void {
  if (ctx.method !== 'POST') return ctx.error(404, 'Not Found');
  const m = /^RemoteAuth\s+(\S+)\s*$/i.exec(ctx.header('authorization') ?? '');
  if (!m) return ctx.error(401, 'Requires authentication');
  ctx.authKind = 'remote_auth';
  const body = (ctx.json() ?? {}) as { url?: unknown; runner_event?: unknown };
  const event = body.runner_event === 'remove' ? 'remove' : 'register';
  const token = sim.store.regTokens.get(m[1]);
  const now = sim.clock.now();
  const scope = typeof body.url === 'string' ? scopeFromGitHubUrl(body.url) : null;
  const valid =
    token !== undefined &&
    token.expiresAt > now &&
    (event === 'remove' || token.kind === 'registration') &&
    scope !== null &&
    scopeKey(scope) === token.scopeKey;
  if (!valid) return ctx.error(404, 'Not Found');
  const admin = jwtLike({ scope: token.scopeKey, event, iat: Math.floor(now / 1000) }, 64);
  sim.store.adminTokens.set(admin, { value: admin, scopeKey: token.scopeKey, scope: token.scope, event, expiresAt: now + 3600_000 });
  const reply: RunnerRegistrationReply = {
    url: `${sim.base}/_fake/actions/`,
    token_schema: 'OAuthAccessToken',
    token: admin,
    use_v2_flow: false,
  };
  ctx.send(200, reply);
}
