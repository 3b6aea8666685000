// Self-hosted runner routes for repo, org and enterprise scopes (github.md §2, §9.4.5-11):
// registration/remove tokens, generate-jitconfig, list/get/delete, runner groups, downloads.
import { isoMillisOffset } from '../clock';
import { paginate, sendCachedList } from '../pagination';
import { type Urls, gitHubUrl, groupBody, runnerBody } from '../render';
import type { RestRoute, RouteCall } from '../router';
import type { Sim } from '../sim';
import { HOSTED_GROUP_ID, scopeKey } from '../state';
import type { RunnerApplicationBody, RunnerBody, RunnerRec, Scope } from '../types';
import { base64url, ieq, randomAlnum, randomUpperDigits, sha256Hex, uuid } from '../util';
import type { CredentialsFile, RunnerSettingsFile } from '../wire';

const HOUR_MS = 3600_000;

function mintRegToken(kind: 'registration' | 'remove') {
  return (call: RouteCall): void => {
    const { sim, ctx, scope } = call;
    const now = sim.clock.now();
    const early = kind === 'registration' && sim.faults.take('gh.token_expire_early') !== undefined;
    const token = {
      value: randomUpperDigits(29),
      kind,
      scopeKey: scopeKey(scope),
      scope,
      expiresAt: early ? now : now + HOUR_MS,
    };
    sim.store.regTokens.set(token.value, token);
    // The reply shows the nominal hour even when the fault killed the token.
    ctx.send(201, { token: token.value, expires_at: isoMillisOffset(now + HOUR_MS) });
  };
}

type Validation = { ok: true; name: string; groupId: number; labels: string[]; workFolder: string } | { ok: false; message: string };

function validateJitBody(raw: unknown): Validation {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, message: 'Invalid input: body must be an object' };
  const body = raw as Record<string, unknown>;
  for (const key of ['name', 'runner_group_id', 'labels']) {
    if (!(key in body)) return { ok: false, message: `Invalid input: object is missing required key: ${key}` };
  }
  if (typeof body.name !== 'string' || body.name === '') return { ok: false, message: 'Invalid input: name must be a non-empty string' };
  if (typeof body.runner_group_id !== 'number' || !Number.isInteger(body.runner_group_id)) {
    return { ok: false, message: 'Invalid input: runner_group_id must be an integer' };
  }
  if (!Array.isArray(body.labels) || body.labels.some((l) => typeof l !== 'string')) {
    return { ok: false, message: 'Invalid input: labels must be an array of strings' };
  }
  if (body.labels.length < 1) return { ok: false, message: 'Invalid input: labels must contain at least 1 item' };
  if (body.labels.length > 100) return { ok: false, message: 'Invalid input: labels must contain at most 100 items' };
  if (body.work_folder !== undefined && typeof body.work_folder !== 'string') {
    return { ok: false, message: 'Invalid input: work_folder must be a string' };
  }
  return { ok: true, name: body.name, groupId: body.runner_group_id, labels: body.labels as string[], workFolder: (body.work_folder as string | undefined) ?? '_work' };
}

function b64json(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64');
}

export function encodeJitConfig(urls: Urls, r: RunnerRec): string {
  const runner: RunnerSettingsFile = {
    AgentId: String(r.id),
    AgentName: r.name,
    PoolId: String(r.runnerGroupId),
    PoolName: null,
    ServerUrl: `${urls.base}/_fake/actions/`,
    GitHubUrl: gitHubUrl(urls, r.scope),
    WorkFolder: r.workFolder,
    Ephemeral: true,
    DisableUpdate: false,
  };
  const credentials: CredentialsFile = {
    Scheme: 'OAuth',
    Data: { clientId: uuid(), authorizationUrl: `${urls.base}/_fake/runner/token`, requireFipsCryptography: 'False', fakeSecret: r.secret },
  };
  const part = () => base64url(Buffer.from(randomAlnum(48)));
  const rsa = { d: part(), dp: part(), dq: part(), exponent: 'AQAB', inverseQ: part(), modulus: part(), p: part(), q: part() };
  return b64json({ '.runner': b64json(runner), '.credentials': b64json(credentials), '.credentials_rsaparams': b64json(rsa) });
}

function generateJitConfig(call: RouteCall): void {
  const { sim, ctx, scope } = call;
  const v = validateJitBody(ctx.json());
  if (!v.ok) return ctx.error(422, v.message);
  const key = scopeKey(scope);
  if (v.groupId === HOSTED_GROUP_ID) return ctx.error(403, 'Forbidden');
  if (!sim.store.findGroup(key, v.groupId)) return ctx.error(404, 'Not Found');
  if (sim.store.runnerByName(key, v.name)) {
    return ctx.error(409, `Already exists - A runner with the name ${v.name} already exists.`);
  }
  const runner: RunnerRec = {
    id: sim.store.ids.runner.take(),
    scopeKey: key,
    scope,
    name: v.name,
    os: 'unknown',
    labels: v.labels.map((l) => sim.store.labelFor(key, l)),
    runnerGroupId: v.groupId,
    version: null,
    ephemeral: true,
    disableUpdate: false,
    workFolder: v.workFolder,
    secret: randomAlnum(40),
    registration: 'active',
    createdAt: sim.clock.now(),
  };
  sim.store.runners.set(runner.id, runner);
  if (sim.faults.take('gh.jit_500_after_create')) return ctx.error(500, 'Server Error');
  ctx.send(201, { runner: runnerBody(runner, false), encoded_jit_config: encodeJitConfig(sim.urls(), runner) });
}

interface ListSnapshot {
  at: number;
  runners: RunnerBody[];
}
const snapshots = new WeakMap<Sim, Map<string, ListSnapshot>>();

/** The runners of a scope, possibly from a cached copy (gh.list_stale / config listCache). */
function listedRunners(sim: Sim, key: string): RunnerBody[] {
  const fresh = () => sim.store.visibleRunners(key).map((r) => runnerBody(r, sim.board.online(r)));
  const staleS = sim.faults.peek('gh.list_stale')?.params.s ?? sim.cfg.listCache;
  if (!staleS) return fresh();
  let byScope = snapshots.get(sim);
  if (!byScope) snapshots.set(sim, (byScope = new Map()));
  const snap = byScope.get(key);
  const now = sim.clock.now();
  if (snap && now - snap.at <= staleS * 1000) return snap.runners;
  const runners = fresh();
  byScope.set(key, { at: now, runners });
  return runners;
}

function listRunners(call: RouteCall): void {
  const { sim, ctx, scope } = call;
  const name = ctx.query.get('name');
  let all = listedRunners(sim, scopeKey(scope));
  if (name !== null) all = all.filter((r) => r.name === name);
  const { items, link } = paginate(ctx, sim.urls(), all);
  sendCachedList(ctx, { total_count: all.length, runners: items }, link);
}

function findRunner(call: RouteCall): RunnerRec | undefined {
  const key = scopeKey(call.scope);
  const r = call.sim.store.runners.get(Number(call.params.runner_id));
  return r && r.scopeKey === key && r.registration !== 'deleted' ? r : undefined;
}

function downloads(sim: Sim): RunnerApplicationBody[] {
  const v = sim.cfg.latestRunnerVersion;
  const combos: [string, string][] = [
    ['osx', 'x64'],
    ['osx', 'arm64'],
    ['linux', 'x64'],
    ['linux', 'arm64'],
    ['linux', 'arm'],
    ['win', 'x64'],
    ['win', 'arm64'],
  ];
  return combos.map(([os, architecture]) => {
    const filename = `actions-runner-${os}-${architecture}-${v}.${os === 'win' ? 'zip' : 'tar.gz'}`;
    return {
      os,
      architecture,
      download_url: `https://github.com/actions/runner/releases/download/v${v}/${filename}`,
      filename,
      sha256_checksum: sha256Hex(filename),
    };
  });
}

function groupVisibleTo(sim: Sim, scope: Scope, groupRepos: string[], visibility: string, repoName: string): boolean {
  if (visibility === 'all') return true;
  const owner = scope.kind === 'org' ? scope.org : '';
  const repo = sim.store.findRepo(owner, repoName);
  if (visibility === 'private') return repo?.private ?? false;
  return groupRepos.some((full) => ieq(full.split('/')[1], repoName));
}

const read = { area: 'runners', access: 'read' } as const;
const write = { area: 'runners', access: 'write' } as const;

export const runnerRoutes: RestRoute[] = [
  { method: 'POST', pattern: '{scope}/actions/runners/registration-token', name: 'registration-token', auth: 'token', need: write, handle: mintRegToken('registration') },
  { method: 'POST', pattern: '{scope}/actions/runners/remove-token', name: 'remove-token', auth: 'token', need: write, handle: mintRegToken('remove') },
  { method: 'POST', pattern: '{scope}/actions/runners/generate-jitconfig', name: 'generate-jitconfig', auth: 'token', need: write, handle: generateJitConfig },
  {
    method: 'GET',
    pattern: '{scope}/actions/runners/downloads',
    name: 'downloads',
    auth: 'token',
    need: read,
    handle: (call) => call.ctx.send(200, downloads(call.sim)),
  },
  { method: 'GET', pattern: '{scope}/actions/runners', name: 'list-runners', auth: 'token', need: read, handle: listRunners },
  {
    method: 'GET',
    pattern: '{scope}/actions/runners/#runner_id',
    name: 'get-runner',
    auth: 'token',
    need: read,
    handle(call) {
      const r = findRunner(call);
      if (!r) return call.ctx.error(404, 'Not Found');
      call.ctx.send(200, runnerBody(r, call.sim.board.online(r)));
    },
  },
  {
    method: 'DELETE',
    pattern: '{scope}/actions/runners/#runner_id',
    name: 'delete-runner',
    auth: 'token',
    need: write,
    handle(call) {
      const r = findRunner(call);
      if (!r) return call.ctx.error(404, 'Not Found');
      if (r.jobId !== undefined) return call.ctx.error(422, `Bad request - Runner "${r.name}" is still running a job"`);
      call.sim.board.deleteRegistration(r);
      call.ctx.send(204);
      call.sim.kick();
    },
  },
  {
    method: 'GET',
    pattern: '{scope}/actions/runner-groups',
    name: 'runner-groups',
    auth: 'token',
    need: read,
    scopes: ['org', 'enterprise'],
    handle(call) {
      const { sim, ctx, scope } = call;
      const key = scopeKey(scope);
      sim.store.ensureDefaultGroup(key);
      const repoName = ctx.query.get('visible_to_repository');
      let groups = sim.store.groupsOf(key);
      if (repoName) groups = groups.filter((g) => groupVisibleTo(sim, scope, g.selectedRepos, g.visibility, repoName));
      const urls = sim.urls();
      const all = groups.map((g) => groupBody(urls, g));
      const { items, link } = paginate(ctx, urls, all);
      sendCachedList(ctx, { total_count: all.length, runner_groups: items }, link);
    },
  },
];

