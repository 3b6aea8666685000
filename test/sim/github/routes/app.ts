// GitHub App routes (github.md §3, §9.4.1-4): the App itself, installation lookup (JWT, logins
// compared case-insensitively), installation access tokens, and revoking a token.
import { isoSeconds } from '../clock';
import { jwtLike } from '../jwt';
import { paginate } from '../pagination';
import { appBody, installationBody, type TokenRepositoryBody, tokenRepositoryBody } from '../render';
import type { RestRoute, RouteCall } from '../router';
import type { Sim } from '../sim';
import type { Access, App, Installation, InstallationTokenBody, Permissions, Token } from '../types';
import { ieq, randomAlnum } from '../util';

const TOKEN_TTL_MS = 3600_000;

function appOf(call: RouteCall): App {
  if (call.cred?.kind !== 'jwt') throw new Error('JWT route without an App credential');
  return call.cred.app;
}

function installationsOf(sim: Sim, app: App): Installation[] {
  return [...sim.store.installations.values()].filter((i) => i.appId === app.id).sort((a, b) => a.id - b.id);
}

function ownerId(sim: Sim, login: string): number {
  return sim.store.findOrg(login)?.id ?? sim.store.findUser(login)?.id ?? 1;
}

/** Installation lookup by target; `find` picks among the App's installations. */
function lookup(name: string, pattern: string, find: (sim: Sim, inst: Installation, params: Record<string, string>) => boolean): RestRoute {
  return {
    method: 'GET',
    pattern,
    name,
    auth: 'jwt',
    handle(call) {
      const app = appOf(call);
      const inst = installationsOf(call.sim, app).find((i) => find(call.sim, i, call.params));
      if (!inst) return call.ctx.error(404, 'Not Found');
      call.ctx.send(200, installationBody(call.sim.urls(), inst, app));
    },
  };
}

const RANK: Record<Access, number> = { read: 1, write: 2 };

export function newInstallationTokenValue(sim: Sim, appId: number): string {
  if (sim.cfg.tokenFormat === 'stateless') {
    // ghs_<appid>_<JWT-like>: about 520 characters, never assume a length.
    const body = jwtLike({ iss: appId, nonce: randomAlnum(24) }, 300);
    return `ghs_${appId}_${body}`;
  }
  return `ghs_${randomAlnum(36)}`;
}

function createAccessToken(call: RouteCall): void {
  const { sim, ctx, params } = call;
  const app = appOf(call);
  const inst = sim.store.installations.get(Number(params.installation_id));
  if (!inst || inst.appId !== app.id) return ctx.error(404, 'Not Found');
  if (inst.suspendedAt !== null) return ctx.error(403, 'This installation has been suspended');
  const body = (ctx.json() ?? {}) as { repositories?: unknown; repository_ids?: unknown; permissions?: unknown };
  const reposOfInstallation = [...sim.store.repos.values()].filter(
    (r) => ieq(r.owner, inst.account.login) && (inst.repositorySelection === 'all' || inst.repos.some((n) => ieq(n, r.name))),
  );
  let narrowed: typeof reposOfInstallation | undefined;
  if (body.repositories !== undefined || body.repository_ids !== undefined) {
    const names = Array.isArray(body.repositories) ? body.repositories : [];
    const ids = Array.isArray(body.repository_ids) ? body.repository_ids : [];
    if (ids.length > 500) return ctx.error(422, 'Invalid request: repository_ids may contain at most 500 items.');
    narrowed = [];
    for (const n of names) {
      const repo = reposOfInstallation.find((r) => typeof n === 'string' && ieq(r.name, n.includes('/') ? n.split('/')[1] : n));
      if (!repo) return ctx.error(422, 'There is at least one repository that does not exist or is not accessible to the parent installation.');
      narrowed.push(repo);
    }
    for (const id of ids) {
      const repo = reposOfInstallation.find((r) => r.id === id);
      if (!repo) return ctx.error(422, 'There is at least one repository that does not exist or is not accessible to the parent installation.');
      if (!narrowed.includes(repo)) narrowed.push(repo);
    }
  }
  let permissions: Permissions = { ...inst.permissions };
  if (body.permissions && typeof body.permissions === 'object') {
    permissions = {};
    for (const [k, v] of Object.entries(body.permissions as Record<string, unknown>)) {
      const have = inst.permissions[k];
      if ((v !== 'read' && v !== 'write') || !have || RANK[have] < RANK[v]) {
        return ctx.error(422, 'The permissions requested are not granted to this installation.');
      }
      permissions[k] = v;
    }
  }
  const now = sim.clock.now();
  const token: Token = {
    value: newInstallationTokenValue(sim, app.id),
    kind: 'installation',
    installationId: inst.id,
    scopes: [],
    permissions,
    repositories: narrowed?.map((r) => `${r.owner}/${r.name}`.toLowerCase()),
    userIsAdmin: true,
    userId: inst.account.id,
    userLogin: inst.account.login,
    createdAt: now,
    expiresAt: now + TOKEN_TTL_MS,
    revoked: false,
  };
  sim.store.tokens.set(token.value, token);
  const urls = sim.urls();
  const reply: Omit<InstallationTokenBody, 'repositories'> & { repositories?: TokenRepositoryBody[] } = {
    token: token.value,
    expires_at: isoSeconds(token.expiresAt!),
    permissions: permissions as InstallationTokenBody['permissions'],
    repository_selection: narrowed ? 'selected' : inst.repositorySelection,
  };
  if (narrowed) reply.repositories = narrowed.map((r) => tokenRepositoryBody(urls, r.owner, r.name, r.id, r.private));
  ctx.send(201, reply);
}

export const appRoutes: RestRoute[] = [
  {
    method: 'GET',
    pattern: '/app',
    name: 'app',
    auth: 'jwt',
    handle(call) {
      const app = appOf(call);
      call.ctx.send(200, appBody(call.sim.urls(), app, ownerId(call.sim, app.ownerLogin)));
    },
  },
  {
    method: 'GET',
    pattern: '/app/installations',
    name: 'app-installations',
    auth: 'jwt',
    handle(call) {
      const urls = call.sim.urls();
      const app = appOf(call);
      const all = installationsOf(call.sim, app).map((i) => installationBody(urls, i, app));
      const { items, link } = paginate(call.ctx, urls, all);
      call.ctx.send(200, items, link ? { link } : {});
    },
  },
  {
    method: 'GET',
    pattern: '/app/installations/#installation_id',
    name: 'app-installation',
    auth: 'jwt',
    handle(call) {
      const app = appOf(call);
      const inst = call.sim.store.installations.get(Number(call.params.installation_id));
      if (!inst || inst.appId !== app.id) return call.ctx.error(404, 'Not Found');
      call.ctx.send(200, installationBody(call.sim.urls(), inst, app));
    },
  },
  {
    method: 'POST',
    pattern: '/app/installations/#installation_id/access_tokens',
    name: 'access-tokens',
    auth: 'jwt',
    handle: createAccessToken,
  },
  lookup('installation', '/orgs/:org/installation', (_s, i, p) => i.account.type === 'Organization' && ieq(i.account.login, p.org)),
  lookup('installation', '/users/:user/installation', (_s, i, p) => i.account.type === 'User' && ieq(i.account.login, p.user)),
  lookup('installation', '/enterprises/:enterprise/installation', (_s, i, p) => i.account.type === 'Enterprise' && ieq(i.account.login, p.enterprise)),
  lookup('installation', '/repos/:owner/:repo/installation', (sim, i, p) => {
    const repo = sim.store.findRepo(p.owner, p.repo);
    if (!repo || !ieq(i.account.login, repo.owner)) return false;
    return i.repositorySelection === 'all' || i.repos.some((n) => ieq(n, repo.name));
  }),
  {
    method: 'DELETE',
    pattern: '/installation/token',
    name: 'revoke-token',
    auth: 'installation-token',
    handle(call) {
      if (call.cred && call.cred.kind === 'installation') call.cred.token.revoked = true;
      call.ctx.send(204);
    },
  },
];
