// Shared setup for the fake GitHub tests: a seeded world, raw requests, App JWTs.
import { createSign } from 'node:crypto';
import { type FakeGitHub, type SeededApp, startFakeGitHub } from '../github/index';

/** A repo `acme/app` (org `acme` in enterprise `bigcorp`) and a fine-grained admin PAT. */
export interface RepoWorld {
  gh: FakeGitHub;
  fineGrained: string;
}

/** RepoWorld plus an App installed on `Acme` (all repos), a minted installation token and a classic PAT. */
export interface World extends RepoWorld {
  app: SeededApp;
  installationId: number;
  /** Installation token minted through the real access_tokens route. */
  instToken: string;
  classic: string;
}

export async function seedRepoWorld(opts: Parameters<typeof startFakeGitHub>[0] = {}): Promise<RepoWorld> {
  const gh = await startFakeGitHub(opts);
  await gh.seedOrg({ login: 'acme', enterprise: 'bigcorp' });
  await gh.seedRepo({ owner: 'acme', name: 'app', private: true });
  await gh.seedRepo({ owner: 'other', name: 'secret', private: true });
  const fineGrained = (await gh.seedToken({ kind: 'fine_grained_pat', permissions: { administration: 'write', organization_self_hosted_runners: 'write' } })).value;
  return { gh, fineGrained };
}

export async function seedWorld(opts: Parameters<typeof startFakeGitHub>[0] = {}): Promise<World> {
  const { gh, fineGrained } = await seedRepoWorld(opts);
  const app = await gh.seedApp({ ownerLogin: 'acme' });
  const inst = await gh.seedInstallation({ appId: app.appId, account: 'Acme' });
  const res = await fetch(`${gh.apiUrl}/app/installations/${inst.id}/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${appJwt(app)}` } });
  const { token } = (await res.json()) as { token: string };
  const classic = (await gh.seedToken({ kind: 'classic_pat', scopes: ['repo', 'admin:org'] })).value;
  return { gh, fineGrained, app, installationId: inst.id, instToken: token, classic };
}

/** An RS256 App JWT like universal-github-app-jwt makes (iat now-30, exp iat+600), with overrides. */
export function appJwt(app: { appId: number; privateKeyPem: string }, claims: Record<string, unknown> = {}, nowSec = Math.floor(Date.now() / 1000)): string {
  const iat = nowSec - 30;
  const payload = { iat, exp: iat + 600, iss: app.appId, ...claims };
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(app.privateKeyPem).toString('base64url')}`;
}

export interface RawReply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function raw(
  base: string,
  method: string,
  path: string,
  opts: { auth?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<RawReply> {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json', ...opts.headers };
  if (opts.auth) headers.authorization = opts.auth;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const errorBody = (status: number, message: string) => ({
  message,
  documentation_url: 'https://docs.github.com/rest',
  status: String(status),
});

/** Mints a JIT config for `acme/app` with a fine-grained PAT. */
export async function mintJit(world: RepoWorld, name: string, labels = ['self-hosted', 'macOS', 'ARM64']): Promise<{ id: number; jit: string }> {
  const r = await raw(world.gh.apiUrl, 'POST', '/repos/acme/app/actions/runners/generate-jitconfig', {
    auth: `Bearer ${world.fineGrained}`,
    body: { name, runner_group_id: 1, labels },
  });
  if (r.status !== 201) throw new Error(`generate-jitconfig: ${r.status} ${r.text}`);
  const body = r.json as { runner: { id: number }; encoded_jit_config: string };
  return { id: body.runner.id, jit: body.encoded_jit_config };
}

/** Polls `check` until it returns a value (bounded; throws with `what` on timeout). */
export async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
