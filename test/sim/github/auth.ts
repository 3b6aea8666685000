// Authentication and authorization of REST requests, in the order of github.md §9.3
// (first failure wins): header, JWT checks, token lookup, scope visibility, permissions.
import type { ServerClock } from './clock';
import type { Faults } from './faults';
import { decodeJwt, looksLikeJwt, verifyRs256 } from './jwt';
import type { Store } from './state';
import type { Access, App, Installation, Scope, SimConfig, Token } from './types';
import { ieq } from './util';

export const MSG = {
  requiresAuth: 'Requires authentication',
  badCredentials: 'Bad credentials',
  jwtUndecodable: 'A JSON web token could not be decoded',
  jwtNoKey: 'Integration must generate a public key',
  expTooFar: "'Expiration time' claim ('exp') is too far in the future",
  expNotFuture:
    "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
  iatInvalid: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
  notFound: 'Not Found',
  byIntegration: 'Resource not accessible by integration',
  byPat: 'Resource not accessible by personal access token',
  notAdmin: 'You must have repository read permissions or have the repository runners fine-grained permission',
  suspended: 'This installation has been suspended',
} as const;

export type Credential =
  | { kind: 'jwt'; app: App }
  | { kind: 'installation'; token: Token; installation: Installation }
  | { kind: 'classic_pat' | 'fine_grained_pat'; token: Token };

export interface Denial {
  status: number;
  message: string;
}

export const isDenial = (x: Credential | Denial | null): x is Denial => x !== null && 'status' in x;

export interface AuthDeps {
  store: Store;
  clock: ServerClock;
  faults: Faults;
  config(): SimConfig;
}

const deny = (status: number, message: string): Denial => ({ status, message });

/** Steps 1-3: who is calling. `jwtRoute`: the route takes an App JWT (and only that). */
export function authenticate(deps: AuthDeps, authorization: string | undefined, jwtRoute: boolean): Credential | Denial {
  if (!authorization) return deny(401, MSG.requiresAuth);
  const m = /^(token|bearer)\s+(\S+)\s*$/i.exec(authorization);
  if (!m) return deny(401, MSG.badCredentials);
  const value = m[2];
  if (looksLikeJwt(value)) {
    if (!jwtRoute) return deny(401, MSG.badCredentials);
    return verifyAppJwt(deps, value);
  }
  if (jwtRoute) return deny(401, MSG.jwtUndecodable);
  const token = deps.store.tokens.get(value);
  const now = deps.clock.now();
  if (!token || token.revoked || (token.expiresAt !== null && token.expiresAt <= now)) return deny(401, MSG.badCredentials);
  if (token.kind === 'installation') {
    const replication = deps.faults.peek('gh.token_replication');
    if (replication && now - token.createdAt < replication.params.ms) return deny(401, MSG.badCredentials);
    const installation = deps.store.installations.get(token.installationId ?? -1);
    if (!installation) return deny(401, MSG.badCredentials);
    return { kind: 'installation', token, installation };
  }
  return { kind: token.kind, token };
}

function verifyAppJwt(deps: AuthDeps, value: string): Credential | Denial {
  const d = decodeJwt(value);
  if (!d) return deny(401, MSG.jwtUndecodable);
  const iss = d.payload.iss;
  let app: App | undefined;
  if (typeof iss === 'number' || (typeof iss === 'string' && /^\d+$/.test(iss))) app = deps.store.apps.get(Number(iss));
  else if (typeof iss === 'string') app = [...deps.store.apps.values()].find((a) => a.clientId === iss);
  if (!app) return deny(401, MSG.jwtUndecodable);
  if (app.publicKeyPem === null) return deny(401, MSG.jwtNoKey);
  if (!verifyRs256(d, app.publicKeyPem)) return deny(401, MSG.jwtUndecodable);
  const now = deps.clock.nowSec();
  const { exp, iat } = d.payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= now) return deny(401, MSG.expNotFuture);
  if (exp - now > 600) return deny(401, MSG.expTooFar);
  if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > now + deps.config().jwtLeewaySec) return deny(401, MSG.iatInvalid);
  return { kind: 'jwt', app };
}

/** What a route needs: runner administration, or reading Actions jobs. */
export interface Need {
  area: 'runners' | 'jobs';
  access: Access;
}

const satisfies = (have: Access | undefined, need: Access) => have === 'write' || (have === 'read' && need === 'read');

function permissionName(scope: Scope, need: Need): string {
  if (need.area === 'jobs') return 'actions';
  return scope.kind === 'repo' ? 'administration' : 'organization_self_hosted_runners';
}

function classicScopesFor(scope: Scope): string[] {
  switch (scope.kind) {
    case 'repo':
      return ['repo'];
    case 'org':
      return ['admin:org'];
    case 'enterprise':
      return ['manage_runners:enterprise', 'admin:enterprise'];
  }
}

function scopeOwner(scope: Scope): string {
  return scope.kind === 'repo' ? scope.owner : scope.kind === 'org' ? scope.org : scope.enterprise;
}

function visible(cred: Credential, scope: Scope): boolean {
  if (cred.kind === 'jwt') return false;
  const owner = scopeOwner(scope);
  const full = scope.kind === 'repo' ? `${scope.owner}/${scope.repo}`.toLowerCase() : undefined;
  if (cred.token.repositories && full !== undefined && !cred.token.repositories.includes(full)) return false;
  if (cred.kind === 'installation') {
    const inst = cred.installation;
    if (!ieq(inst.account.login, owner)) return false;
    if (scope.kind === 'org') return inst.account.type === 'Organization';
    if (scope.kind === 'repo') return inst.repositorySelection === 'all' || inst.repos.some((r) => ieq(r, scope.repo));
    return false;
  }
  if (cred.kind === 'fine_grained_pat') return cred.token.owner === undefined || ieq(cred.token.owner, owner);
  return true;
}

/**
 * Steps 4-5 for a scoped route. Sets the permission headers on `headers`.
 * Returns null when allowed.
 */
export function authorize(deps: AuthDeps, cred: Credential, scope: Scope, need: Need, headers: Record<string, string>): Denial | null {
  const perm = permissionName(scope, need);
  headers['x-accepted-github-permissions'] = `${perm}=${need.access}`;
  if (cred.kind === 'classic_pat') {
    headers['x-oauth-scopes'] = cred.token.scopes.join(', ');
    headers['x-accepted-oauth-scopes'] = need.area === 'jobs' ? 'repo' : classicScopesFor(scope).join(', ');
  }
  if (!deps.store.scopeExists(scope)) return deny(404, MSG.notFound);
  if (cred.kind === 'jwt') return deny(401, MSG.badCredentials);
  const notAccessible = cred.kind === 'installation' ? MSG.byIntegration : MSG.byPat;
  if (scope.kind === 'enterprise' && cred.kind !== 'classic_pat') return deny(403, notAccessible);
  if (!visible(cred, scope)) return deny(404, MSG.notFound);
  if (cred.kind === 'classic_pat') {
    const wanted = need.area === 'jobs' ? ['repo'] : classicScopesFor(scope);
    if (!wanted.some((s) => cred.token.scopes.includes(s))) return deny(403, notAccessible);
  } else {
    const perms = cred.token.permissions;
    const ok =
      satisfies(perms[perm], need.access) || (need.area === 'jobs' && satisfies(perms.administration, need.access));
    if (!ok) return deny(403, notAccessible);
  }
  if (cred.kind !== 'installation' && !cred.token.userIsAdmin) return deny(403, MSG.notAdmin);
  return null;
}

/** Rate bucket of a credential: per installation, per user, per App. */
export function rateSubject(cred: Credential): { key: string; subject: string } {
  switch (cred.kind) {
    case 'jwt':
      return { key: `app:${cred.app.id}`, subject: `app ID ${cred.app.id}` };
    case 'installation':
      return { key: `installation:${cred.installation.id}`, subject: `installation ID ${cred.installation.id}` };
    default:
      return { key: `user:${cred.token.userId}`, subject: `user ID ${cred.token.userId}` };
  }
}
