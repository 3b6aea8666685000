// Seeding state through the control API (github.md §9.7): each function validates its input
// with zod, creates the record and returns it (token values and App keys included).
import { z } from 'zod';
import { generateAppKeyPair } from './jwt';
import { groupBody } from './render';
import type { Sim } from './sim';
import { scopeKey } from './state';
import type { App, Installation, Permissions, Repo, Token } from './types';
import { randomAlnum } from './util';
import { newInstallationTokenValue } from './routes/app';

const access = z.enum(['read', 'write']);
const permissions = z.record(z.string(), access);

export const enterpriseInput = z.object({ slug: z.string().min(1), id: z.number().int().optional() });
export const orgInput = z.object({ login: z.string().min(1), id: z.number().int().optional(), enterprise: z.string().optional() });
export const userInput = z.object({ login: z.string().min(1), id: z.number().int().optional() });
export const repoInput = z.object({
  owner: z.string().min(1),
  name: z.string().min(1),
  private: z.boolean().default(true),
  id: z.number().int().optional(),
  ownerType: z.enum(['Organization', 'User']).default('Organization'),
});
export const appInput = z.object({
  name: z.string().default('Ekiden Test App'),
  slug: z.string().optional(),
  clientId: z.string().optional(),
  ownerLogin: z.string().default('octo-org'),
  permissions: permissions.default({ administration: 'write', organization_self_hosted_runners: 'write', metadata: 'read', actions: 'read' }),
  events: z.array(z.string()).default(['workflow_job']),
  /** An App without a public key (JWTs then fail with "Integration must generate a public key"). */
  noKey: z.boolean().default(false),
});
export const installationInput = z.object({
  appId: z.number().int(),
  account: z.string().min(1),
  accountType: z.enum(['Organization', 'User', 'Enterprise']).default('Organization'),
  repositorySelection: z.enum(['all', 'selected']).default('all'),
  repos: z.array(z.string()).default([]),
  permissions: permissions.optional(),
  suspended: z.boolean().default(false),
});
export const tokenInput = z.object({
  kind: z.enum(['classic_pat', 'fine_grained_pat', 'installation']),
  value: z.string().optional(),
  scopes: z.array(z.string()).default([]),
  permissions: permissions.default({}),
  userIsAdmin: z.boolean().default(true),
  owner: z.string().optional(),
  repositories: z.array(z.string()).optional(),
  installationId: z.number().int().optional(),
  user: z.string().default('octocat'),
  expiresInSeconds: z.number().optional(),
});
export const groupInput = z.object({
  org: z.string().optional(),
  enterprise: z.string().optional(),
  name: z.string().min(1),
  visibility: z.enum(['all', 'selected', 'private']).default('all'),
  selectedRepos: z.array(z.string()).default([]),
  allowsPublicRepositories: z.boolean().default(false),
  restrictedToWorkflows: z.boolean().default(false),
  selectedWorkflows: z.array(z.string()).default([]),
});

export function seedEnterprise(sim: Sim, input: z.input<typeof enterpriseInput>) {
  const i = enterpriseInput.parse(input);
  const existing = sim.store.findEnterprise(i.slug);
  if (existing) return existing;
  const e = { id: i.id ?? sim.store.ids.enterprise.take(), slug: i.slug };
  sim.store.enterprises.set(i.slug.toLowerCase(), e);
  sim.store.ensureDefaultGroup(scopeKey({ kind: 'enterprise', enterprise: i.slug }));
  return e;
}

export function seedOrg(sim: Sim, input: z.input<typeof orgInput>) {
  const i = orgInput.parse(input);
  if (i.enterprise) seedEnterprise(sim, { slug: i.enterprise });
  const existing = sim.store.findOrg(i.login);
  if (existing) {
    if (i.enterprise) existing.enterprise = i.enterprise;
    return existing;
  }
  const org = { id: i.id ?? sim.store.ids.org.take(), login: i.login, enterprise: i.enterprise };
  sim.store.orgs.set(i.login.toLowerCase(), org);
  sim.store.ensureDefaultGroup(scopeKey({ kind: 'org', org: i.login }));
  return org;
}

export function seedUser(sim: Sim, input: z.input<typeof userInput>) {
  const i = userInput.parse(input);
  const existing = sim.store.findUser(i.login);
  if (existing) return existing;
  const user = { id: i.id ?? sim.store.ids.user.take(), login: i.login };
  sim.store.users.set(i.login.toLowerCase(), user);
  return user;
}

export function seedRepo(sim: Sim, input: z.input<typeof repoInput>): Repo {
  const i = repoInput.parse(input);
  if (!sim.store.findOrg(i.owner) && !sim.store.findUser(i.owner)) {
    if (i.ownerType === 'User') seedUser(sim, { login: i.owner });
    else seedOrg(sim, { login: i.owner });
  }
  const repo: Repo = { id: i.id ?? sim.store.ids.repo.take(), owner: i.owner, name: i.name, private: i.private };
  sim.store.repos.set(`${i.owner}/${i.name}`.toLowerCase(), repo);
  return repo;
}

export function seedApp(sim: Sim, input: z.input<typeof appInput>) {
  const i = appInput.parse(input);
  const id = sim.store.ids.app.take();
  const keys = i.noKey ? null : generateAppKeyPair();
  const app: App = {
    id,
    clientId: i.clientId ?? `Iv23li${randomAlnum(14)}`,
    slug: i.slug ?? `${i.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${id}`,
    name: i.name,
    ownerLogin: i.ownerLogin,
    publicKeyPem: keys?.publicKeyPem ?? null,
    permissions: i.permissions,
    events: i.events,
    createdAt: sim.clock.now(),
  };
  sim.store.apps.set(id, app);
  return { appId: id, id, clientId: app.clientId, slug: app.slug, privateKeyPem: keys?.privateKeyPem ?? '', publicKeyPem: app.publicKeyPem };
}

export function seedInstallation(sim: Sim, input: z.input<typeof installationInput>): Installation {
  const i = installationInput.parse(input);
  const app = sim.store.apps.get(i.appId);
  if (!app) throw new SeedError(`unknown app ${i.appId}`);
  const accountId =
    i.accountType === 'Enterprise'
      ? seedEnterprise(sim, { slug: i.account }).id
      : i.accountType === 'User'
        ? seedUser(sim, { login: i.account }).id
        : seedOrg(sim, { login: i.account }).id;
  const inst: Installation = {
    id: sim.store.ids.installation.take(),
    appId: app.id,
    account: { login: i.account, id: accountId, type: i.accountType },
    repositorySelection: i.repositorySelection,
    repos: i.repos,
    permissions: (i.permissions ?? app.permissions) as Permissions,
    suspendedAt: i.suspended ? sim.clock.now() : null,
    createdAt: sim.clock.now(),
  };
  sim.store.installations.set(inst.id, inst);
  return inst;
}

export function seedToken(sim: Sim, input: z.input<typeof tokenInput>): Token {
  const i = tokenInput.parse(input);
  const now = sim.clock.now();
  const user = seedUser(sim, { login: i.user });
  let value = i.value;
  let perms: Permissions = i.permissions;
  if (i.kind === 'installation') {
    const inst = sim.store.installations.get(i.installationId ?? -1);
    if (!inst) throw new SeedError('installation tokens need a known installationId');
    value ??= newInstallationTokenValue(sim, inst.appId);
    if (Object.keys(perms).length === 0) perms = { ...inst.permissions };
  }
  value ??= i.kind === 'classic_pat' ? `ghp_${randomAlnum(36)}` : `github_pat_${randomAlnum(22)}_${randomAlnum(59)}`;
  const token: Token = {
    value,
    kind: i.kind,
    installationId: i.installationId,
    scopes: i.scopes,
    permissions: perms,
    repositories: i.repositories?.map((r) => r.toLowerCase()),
    owner: i.owner,
    userIsAdmin: i.userIsAdmin,
    userId: user.id,
    userLogin: user.login,
    createdAt: now,
    expiresAt: i.expiresInSeconds !== undefined ? now + i.expiresInSeconds * 1000 : i.kind === 'installation' ? now + 3600_000 : null,
    revoked: false,
  };
  sim.store.tokens.set(value, token);
  return token;
}

export function seedRunnerGroup(sim: Sim, input: z.input<typeof groupInput>) {
  const i = groupInput.parse(input);
  const key = i.org ? scopeKey({ kind: 'org', org: i.org }) : i.enterprise ? scopeKey({ kind: 'enterprise', enterprise: i.enterprise }) : null;
  if (!key) throw new SeedError('runner groups need `org` or `enterprise`');
  if (i.org) seedOrg(sim, { login: i.org });
  if (i.enterprise) seedEnterprise(sim, { slug: i.enterprise });
  const owner = i.org ?? '';
  const group = {
    id: sim.store.ids.group.take(),
    scopeKey: key,
    name: i.name,
    visibility: i.visibility,
    isDefault: false,
    selectedRepos: i.selectedRepos.map((r) => (r.includes('/') ? r : `${owner}/${r}`).toLowerCase()),
    allowsPublicRepositories: i.allowsPublicRepositories,
    restrictedToWorkflows: i.restrictedToWorkflows,
    selectedWorkflows: i.selectedWorkflows,
  };
  sim.store.groups.push(group);
  return groupBody(sim.urls(), group);
}

export class SeedError extends Error {}
