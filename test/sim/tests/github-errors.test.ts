// Error statuses and bodies of the fake GitHub, table-driven from github.md §3, §4 and §9.3-9.4,
// plus the headers of §9.1 on every response.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type World, appJwt, errorBody, raw, seedWorld } from './github-harness';

let w: World;
let tokens: Record<string, string>;
let otherKey: string;
let noKeyApp: { appId: number };
let suspendedInstallation: number;

beforeAll(async () => {
  w = await seedWorld();
  const gh = w.gh;
  const limitedInst = await gh.seedInstallation({ appId: w.app.appId, account: 'limited', permissions: { metadata: 'read' } });
  await gh.seedRepo({ owner: 'limited', name: 'repo' });
  const suspended = await gh.seedInstallation({ appId: w.app.appId, account: 'frozen', suspended: true });
  suspendedInstallation = suspended.id;
  noKeyApp = await gh.seedApp({ noKey: true });
  otherKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  const t = async (input: Parameters<typeof gh.seedToken>[0]) => (await gh.seedToken(input)).value;
  tokens = {
    inst: w.instToken,
    instLimited: await t({ kind: 'installation', installationId: limitedInst.id }),
    instExpired: await t({ kind: 'installation', installationId: limitedInst.id, expiresInSeconds: -1 }),
    classic: w.classic,
    classicNoScope: await t({ kind: 'classic_pat', scopes: [] }),
    classicEnterprise: await t({ kind: 'classic_pat', scopes: ['manage_runners:enterprise'] }),
    fine: w.fineGrained,
    fineRead: await t({ kind: 'fine_grained_pat', permissions: { administration: 'read' } }),
    fineNotAdmin: await t({ kind: 'fine_grained_pat', permissions: { administration: 'write' }, userIsAdmin: false }),
  };
  // A runner that exists, for 409, and a busy one, for the 422 on delete.
  const jit = await raw(gh.apiUrl, 'POST', '/repos/acme/app/actions/runners/generate-jitconfig', {
    auth: `token ${tokens.fine}`,
    body: { name: 'taken', runner_group_id: 1, labels: ['self-hosted'] },
  });
  expect(jit.status).toBe(201);
});

afterAll(async () => {
  await w.gh.close();
});

const RUNNERS = '/repos/acme/app/actions/runners';
const JIT = `${RUNNERS}/generate-jitconfig`;
const jitBody = (over: Record<string, unknown> = {}) => ({ name: `r-${Math.random().toString(36).slice(2)}`, runner_group_id: 1, labels: ['self-hosted'], ...over });
const drop = (key: string) => {
  const b: Record<string, unknown> = jitBody();
  delete b[key];
  return b;
};

interface Case {
  name: string;
  method?: string;
  path: string;
  auth?: () => string;
  body?: () => unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  status: number;
  message: string;
}

const now = () => Math.floor(Date.now() / 1000);
const jwt = (claims: Record<string, unknown> = {}) => `Bearer ${appJwt(w.app, claims)}`;

const cases: Case[] = [
  { name: 'no Authorization header', path: RUNNERS, status: 401, message: 'Requires authentication' },
  { name: 'unknown token', path: RUNNERS, auth: () => 'token ghp_nosuchtoken000000000000000000000000', status: 401, message: 'Bad credentials' },
  { name: 'expired installation token', path: '/repos/limited/repo/actions/runners', auth: () => `token ${tokens.instExpired}`, status: 401, message: 'Bad credentials' },
  { name: 'an App JWT on a runner route', path: RUNNERS, auth: () => jwt(), status: 401, message: 'Bad credentials' },
  { name: 'an installation token on /app', path: '/app', auth: () => `token ${tokens.inst}`, status: 401, message: 'A JSON web token could not be decoded' },
  { name: 'JWT signed with another key', path: '/app', auth: () => `Bearer ${appJwt({ appId: w.app.appId, privateKeyPem: otherKey })}`, status: 401, message: 'A JSON web token could not be decoded' },
  { name: 'malformed JWT', path: '/app', auth: () => 'Bearer eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln', status: 401, message: 'A JSON web token could not be decoded' },
  {
    name: 'JWT whose exp has passed',
    path: '/app',
    auth: () => jwt({ iat: now() - 700, exp: now() - 100 }),
    status: 401,
    message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
  },
  {
    name: 'JWT whose exp is not numeric',
    path: '/app',
    auth: () => jwt({ exp: 'soon' }),
    status: 401,
    message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
  },
  { name: 'JWT whose exp is more than 10 minutes ahead', path: '/app', auth: () => jwt({ iat: now(), exp: now() + 700 }), status: 401, message: "'Expiration time' claim ('exp') is too far in the future" },
  {
    name: 'JWT issued in the future',
    path: '/app',
    auth: () => jwt({ iat: now() + 60, exp: now() + 300 }),
    status: 401,
    message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
  },
  {
    name: 'JWT of an App without a public key',
    path: '/app',
    auth: () => `Bearer ${appJwt({ appId: noKeyApp.appId, privateKeyPem: otherKey })}`,
    status: 401,
    message: 'Integration must generate a public key',
  },
  { name: 'installation lookup of an org without the App', path: '/orgs/nobody/installation', auth: () => jwt(), status: 404, message: 'Not Found' },
  { name: 'access token for an unknown installation', method: 'POST', path: '/app/installations/999999/access_tokens', auth: () => jwt(), status: 404, message: 'Not Found' },
  { name: 'access token for a suspended installation', method: 'POST', path: '', auth: () => jwt(), status: 403, message: 'This installation has been suspended' },
  { name: 'repo outside the installation', path: '/repos/other/secret/actions/runners', auth: () => `token ${tokens.inst}`, status: 404, message: 'Not Found' },
  { name: 'unknown repo', path: '/repos/acme/nope/actions/runners', auth: () => `token ${tokens.fine}`, status: 404, message: 'Not Found' },
  { name: 'App without administration', path: '/repos/limited/repo/actions/runners', auth: () => `token ${tokens.instLimited}`, status: 403, message: 'Resource not accessible by integration' },
  { name: 'fine-grained PAT with read only, on a POST', method: 'POST', path: `${RUNNERS}/registration-token`, auth: () => `token ${tokens.fineRead}`, status: 403, message: 'Resource not accessible by personal access token' },
  { name: 'classic PAT without the repo scope', path: RUNNERS, auth: () => `token ${tokens.classicNoScope}`, status: 403, message: 'Resource not accessible by personal access token' },
  {
    name: 'PAT of a user who is not admin',
    path: RUNNERS,
    auth: () => `token ${tokens.fineNotAdmin}`,
    status: 403,
    message: 'You must have repository read permissions or have the repository runners fine-grained permission',
  },
  { name: 'enterprise runners with an installation token', path: '/enterprises/bigcorp/actions/runners', auth: () => `token ${tokens.inst}`, status: 403, message: 'Resource not accessible by integration' },
  { name: 'enterprise runners with a fine-grained PAT', path: '/enterprises/bigcorp/actions/runners', auth: () => `token ${tokens.fine}`, status: 403, message: 'Resource not accessible by personal access token' },
  { name: 'JIT without name', method: 'POST', path: JIT, auth: () => `token ${tokens.fine}`, body: () => drop('name'), status: 422, message: 'Invalid input: object is missing required key: name' },
  {
    name: 'JIT without runner_group_id',
    method: 'POST',
    path: JIT,
    auth: () => `token ${tokens.fine}`,
    body: () => drop('runner_group_id'),
    status: 422,
    message: 'Invalid input: object is missing required key: runner_group_id',
  },
  { name: 'JIT without labels', method: 'POST', path: JIT, auth: () => `token ${tokens.fine}`, body: () => drop('labels'), status: 422, message: 'Invalid input: object is missing required key: labels' },
  { name: 'JIT without anything (name first)', method: 'POST', path: JIT, auth: () => `token ${tokens.fine}`, body: () => ({}), status: 422, message: 'Invalid input: object is missing required key: name' },
  { name: 'JIT with no labels', method: 'POST', path: JIT, auth: () => `token ${tokens.fine}`, body: () => jitBody({ labels: [] }), status: 422, message: 'Invalid input: labels must contain at least 1 item' },
  {
    name: 'JIT with 101 labels',
    method: 'POST',
    path: JIT,
    auth: () => `token ${tokens.fine}`,
    body: () => jitBody({ labels: Array.from({ length: 101 }, (_, i) => `l${i}`) }),
    status: 422,
    message: 'Invalid input: labels must contain at most 100 items',
  },
  { name: 'JIT into the GitHub-hosted group', method: 'POST', path: JIT, auth: () => `token ${tokens.fine}`, body: () => jitBody({ runner_group_id: 2 }), status: 403, message: 'Forbidden' },
  { name: 'JIT into an unknown group', method: 'POST', path: JIT, auth: () => `token ${tokens.fine}`, body: () => jitBody({ runner_group_id: 99 }), status: 404, message: 'Not Found' },
  {
    name: 'JIT with a taken name',
    method: 'POST',
    path: JIT,
    auth: () => `token ${tokens.fine}`,
    body: () => jitBody({ name: 'taken' }),
    status: 409,
    message: 'Already exists - A runner with the name taken already exists.',
  },
  { name: 'JIT with a body that is not JSON', method: 'POST', path: JIT, auth: () => `token ${tokens.fine}`, rawBody: '{"name":', status: 400, message: 'Problems parsing JSON' },
  { name: 'get an unknown runner', path: `${RUNNERS}/424242`, auth: () => `token ${tokens.fine}`, status: 404, message: 'Not Found' },
  { name: 'delete an unknown runner', method: 'DELETE', path: `${RUNNERS}/424242`, auth: () => `token ${tokens.fine}`, status: 404, message: 'Not Found' },
  { name: 'a runner of another scope', path: '/orgs/acme/actions/runners/1', auth: () => `token ${tokens.fine}`, status: 404, message: 'Not Found' },
  { name: 'an unsupported API version', path: RUNNERS, auth: () => `token ${tokens.fine}`, headers: { 'x-github-api-version': '2021-01-01' }, status: 400, message: 'API version 2021-01-01 is not supported.' },
  { name: 'an unknown path', path: '/repos/acme/app/nothing-here', auth: () => `token ${tokens.fine}`, status: 404, message: 'Not Found' },
];

describe('error answers', () => {
  it.each(cases)('$name -> $status $message', async (c) => {
    const path = c.path || `/app/installations/${suspendedInstallation}/access_tokens`;
    const r = await raw(w.gh.apiUrl, c.method ?? 'GET', path, { auth: c.auth?.(), body: c.body?.(), rawBody: c.rawBody, headers: c.headers });
    expect(r.status).toBe(c.status);
    expect(r.json).toEqual(errorBody(c.status, c.message));
    // §9.1 headers on every response, errors included; Date from the server clock.
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('x-github-media-type')).toBe('github.v3; format=json');
    expect(r.headers.get('x-github-request-id')).toMatch(/^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}$/);
    expect(r.headers.get('x-github-api-version-selected')).toBe('2022-11-28');
    expect(Math.abs(Date.parse(r.headers.get('date')!) - Date.now())).toBeLessThan(5000);
    for (const h of ['limit', 'remaining', 'reset', 'used']) expect(r.headers.get(`x-ratelimit-${h}`)).toMatch(/^\d+$/);
    expect(r.headers.get('x-ratelimit-resource')).toBe('core');
  });

  it('classic PATs get x-oauth-scopes and x-accepted-oauth-scopes; runner routes x-accepted-github-permissions', async () => {
    const r = await raw(w.gh.apiUrl, 'POST', `${RUNNERS}/registration-token`, { auth: `token ${tokens.classic}` });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-oauth-scopes')).toBe('repo, admin:org');
    expect(r.headers.get('x-accepted-oauth-scopes')).toBe('repo');
    expect(r.headers.get('x-accepted-github-permissions')).toBe('administration=write');
    const ent = await raw(w.gh.apiUrl, 'GET', '/enterprises/bigcorp/actions/runners', { auth: `token ${tokens.classicEnterprise}` });
    expect(ent.status).toBe(200);
    expect(ent.headers.get('x-accepted-oauth-scopes')).toBe('manage_runners:enterprise, admin:enterprise');
  });

  it('a 2026-03-10 API version is selected when asked for', async () => {
    const r = await raw(w.gh.apiUrl, 'GET', RUNNERS, { auth: `token ${tokens.fine}`, headers: { 'x-github-api-version': '2026-03-10' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-github-api-version-selected')).toBe('2026-03-10');
  });

  it('deleting a busy runner answers 422 with the stray trailing quote', async () => {
    const { gh } = w;
    const jit = await raw(gh.apiUrl, 'POST', JIT, { auth: `token ${tokens.fine}`, body: { name: 'busy-one', runner_group_id: 1, labels: ['self-hosted', 'busy'] } });
    const { runner, encoded_jit_config } = jit.json as { runner: { id: number }; encoded_jit_config: string };
    const creds = JSON.parse(Buffer.from(JSON.parse(Buffer.from(encoded_jit_config, 'base64').toString())['.credentials'], 'base64').toString());
    const session = await raw(gh.url, 'POST', '/_fake/runner/session', { body: { agentId: String(runner.id), secret: creds.Data.fakeSecret, version: '2.336.0', os: 'macos' } });
    const { sessionId } = session.json as { sessionId: string };
    await gh.enqueueJob({ repo: 'acme/app', name: 'keeps it busy', labels: ['busy'] });
    const msg = await raw(gh.url, 'GET', `/_fake/runner/message?sessionId=${sessionId}`);
    expect((msg.json as { type: string }).type).toBe('job');
    const del = await raw(gh.apiUrl, 'DELETE', `${RUNNERS}/${runner.id}`, { auth: `token ${tokens.fine}` });
    expect(del.status).toBe(422);
    expect(del.json).toEqual(errorBody(422, 'Bad request - Runner "busy-one" is still running a job"'));
  });
});
