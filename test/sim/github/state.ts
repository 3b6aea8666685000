// In-memory state of the fake GitHub (github.md §9.2) with its lookups. Keys are lower-cased
// where GitHub compares case-insensitively (logins, repo names, label names).
import type {
  AdminToken,
  App,
  Enterprise,
  Installation,
  Job,
  Label,
  Org,
  RegToken,
  Repo,
  RunnerGroup,
  RunnerRec,
  Scope,
  Session,
  Token,
  User,
} from './types';

export const DEFAULT_GROUP_ID = 1;
export const HOSTED_GROUP_ID = 2;

/** Label names GitHub types `read-only`. */
const READ_ONLY_LABELS = new Set(['self-hosted', 'linux', 'windows', 'macos', 'x64', 'arm', 'arm64', 'x86']);

export function scopeKey(scope: Scope): string {
  switch (scope.kind) {
    case 'repo':
      return `repo:${scope.owner}/${scope.repo}`.toLowerCase();
    case 'org':
      return `org:${scope.org}`.toLowerCase();
    case 'enterprise':
      return `enterprise:${scope.enterprise}`.toLowerCase();
  }
}

/** The URL path of a scope, e.g. `repos/o/r`. */
export function scopePath(scope: Scope): string {
  switch (scope.kind) {
    case 'repo':
      return `repos/${scope.owner}/${scope.repo}`;
    case 'org':
      return `orgs/${scope.org}`;
    case 'enterprise':
      return `enterprises/${scope.enterprise}`;
  }
}

/**
 * Installation ids are unique across GitHub, so fakes in one process hand out disjoint ones:
 * @octokit/auth-app shares in-flight token requests process-wide by installation id, and two
 * fakes both using 40001 would get each other's tokens.
 */
let nextInstallationBlock = 40001;
function installationIdBlock(): number {
  const base = nextInstallationBlock;
  nextInstallationBlock += 1000;
  return base;
}

class Counter {
  constructor(private next: number) {}
  take(): number {
    return this.next++;
  }
}

export class Store {
  enterprises = new Map<string, Enterprise>();
  orgs = new Map<string, Org>();
  users = new Map<string, User>();
  repos = new Map<string, Repo>();
  apps = new Map<number, App>();
  installations = new Map<number, Installation>();
  tokens = new Map<string, Token>();
  regTokens = new Map<string, RegToken>();
  adminTokens = new Map<string, AdminToken>();
  groups: RunnerGroup[] = [];
  runners = new Map<number, RunnerRec>();
  sessions = new Map<string, Session>();
  jobs = new Map<number, Job>();
  private labelIds = new Map<string, number>();

  readonly ids = {
    enterprise: new Counter(1),
    org: new Counter(1001),
    user: new Counter(5001),
    repo: new Counter(100001),
    app: new Counter(101),
    installation: new Counter(installationIdBlock()),
    runner: new Counter(1),
    label: new Counter(1),
    group: new Counter(3),
    job: new Counter(900001),
    run: new Counter(700001),
  };

  findEnterprise(slug: string): Enterprise | undefined {
    return this.enterprises.get(slug.toLowerCase());
  }

  findOrg(login: string): Org | undefined {
    return this.orgs.get(login.toLowerCase());
  }

  findUser(login: string): User | undefined {
    return this.users.get(login.toLowerCase());
  }

  findRepo(owner: string, name: string): Repo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  /** Does the scope name something that exists? */
  scopeExists(scope: Scope): boolean {
    switch (scope.kind) {
      case 'repo':
        return this.findRepo(scope.owner, scope.repo) !== undefined;
      case 'org':
        return this.findOrg(scope.org) !== undefined;
      case 'enterprise':
        return this.findEnterprise(scope.enterprise) !== undefined;
    }
  }

  labelFor(key: string, name: string): Label {
    const k = `${key}|${name.toLowerCase()}`;
    let id = this.labelIds.get(k);
    if (id === undefined) {
      id = this.ids.label.take();
      this.labelIds.set(k, id);
    }
    return { id, name, type: READ_ONLY_LABELS.has(name.toLowerCase()) ? 'read-only' : 'custom' };
  }

  /** Runner groups of an org or enterprise scope (repo scope has only the implicit Default, id 1). */
  groupsOf(key: string): RunnerGroup[] {
    return this.groups.filter((g) => g.scopeKey === key).sort((a, b) => a.id - b.id);
  }

  ensureDefaultGroup(key: string): void {
    if (this.groups.some((g) => g.scopeKey === key && g.id === DEFAULT_GROUP_ID)) return;
    this.groups.push({
      id: DEFAULT_GROUP_ID,
      scopeKey: key,
      name: 'Default',
      visibility: 'all',
      isDefault: true,
      selectedRepos: [],
      allowsPublicRepositories: true,
      restrictedToWorkflows: false,
      selectedWorkflows: [],
    });
  }

  findGroup(key: string, id: number): RunnerGroup | undefined {
    if (key.startsWith('repo:')) return id === DEFAULT_GROUP_ID ? defaultRepoGroup(key) : undefined;
    return this.groups.find((g) => g.scopeKey === key && g.id === id);
  }

  findGroupByName(key: string, name: string): RunnerGroup | undefined {
    if (key.startsWith('repo:')) return name.toLowerCase() === 'default' ? defaultRepoGroup(key) : undefined;
    return this.groups.find((g) => g.scopeKey === key && g.name.toLowerCase() === name.toLowerCase());
  }

  /** Registered runners of a scope, as REST shows them (deleted ones are gone). */
  visibleRunners(key: string): RunnerRec[] {
    return [...this.runners.values()]
      .filter((r) => r.scopeKey === key && r.registration !== 'deleted')
      .sort((a, b) => a.id - b.id);
  }

  runnerByName(key: string, name: string): RunnerRec | undefined {
    return this.visibleRunners(key).find((r) => r.name === name);
  }

  liveSession(runner: RunnerRec): Session | undefined {
    if (!runner.sessionId) return undefined;
    const s = this.sessions.get(runner.sessionId);
    return s && !s.closed ? s : undefined;
  }

  /** Closes the runner's session (it goes offline). */
  closeSession(runner: RunnerRec): void {
    const s = this.liveSession(runner);
    if (s) s.closed = true;
    runner.sessionId = undefined;
  }
}

function defaultRepoGroup(key: string): RunnerGroup {
  return {
    id: DEFAULT_GROUP_ID,
    scopeKey: key,
    name: 'Default',
    visibility: 'all',
    isDefault: true,
    selectedRepos: [],
    allowsPublicRepositories: true,
    restrictedToWorkflows: false,
    selectedWorkflows: [],
  };
}
