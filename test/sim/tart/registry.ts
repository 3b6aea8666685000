// The simulated OCI registry, kept in $TART_HOME/.sim/registry: repositories (tag -> digest),
// image contents by digest, required credentials, and a log of every registry contact.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { TartHome } from './home';
import { readJson, withLockSync, writeJsonAtomic } from './fsx';
import { GenericError } from './errors';
import { parseRemote, type RemoteName } from './remote-name';
import { VmDir } from './vm-dir';
import { takeFault, str } from './faults';

interface Repo {
  tags: Record<string, string>;
  digests: string[];
}

export interface Credentials {
  username: string;
  password: string;
}

interface RegistryIndex {
  repos: Record<string, Repo>;
  credentials: Record<string, Credentials>;
  published: number;
}

export interface Manifest {
  schemaVersion: 2;
  mediaType: string;
  config: { mediaType: string; size: number; digest: string };
  layers: { mediaType: string; size: number; digest: string; annotations?: Record<string, string> }[];
  annotations: Record<string, string>;
}

const indexFile = (home: TartHome): string => home.sim('registry', 'index.json');
const emptyIndex = (): RegistryIndex => ({ repos: {}, credentials: {}, published: 0 });

export function readIndex(home: TartHome): RegistryIndex {
  return { ...emptyIndex(), ...readJson<Partial<RegistryIndex>>(indexFile(home), {}) };
}

export function updateIndex<T>(home: TartHome, fn: (ix: RegistryIndex) => T): T {
  return withLockSync(home.lockFile('registry'), () => {
    const ix = readIndex(home);
    const out = fn(ix);
    writeJsonAtomic(indexFile(home), ix);
    return out;
  });
}

export function imageVm(home: TartHome, digest: string): VmDir {
  return new VmDir(home.sim('registry', 'images', digest), digest);
}

export const repoKey = (r: RemoteName): string => `${r.host}/${r.namespace}`;

export function sha256(data: string | Buffer): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

/** Uncompressed disk size the manifest announces (auto-prune before pull reclaims this + 128 MB). */
export function uncompressedDiskSize(m: Manifest): number {
  return Number(m.annotations['org.cirruslabs.tart.uncompressed-disk-size'] ?? 0);
}

export function compressedDiskSize(m: Manifest): number {
  return m.layers.filter((l) => l.mediaType.startsWith('application/vnd.cirruslabs.tart.disk')).reduce((s, l) => s + l.size, 0);
}

export function setRegistryCredentials(home: TartHome, host: string, c: Credentials | undefined): void {
  updateIndex(home, (ix) => {
    if (c) ix.credentials[host] = c;
    else delete ix.credentials[host];
  });
}

/** Env vars first (both set; TART_REGISTRY_HOSTNAME restricts the host), then docker config, then the "Keychain". */
export function credentialsFor(home: TartHome, host: string, env: NodeJS.ProcessEnv): Credentials | undefined {
  const u = env.TART_REGISTRY_USERNAME;
  const p = env.TART_REGISTRY_PASSWORD;
  if (u !== undefined && p !== undefined && (env.TART_REGISTRY_HOSTNAME === undefined || env.TART_REGISTRY_HOSTNAME === host)) {
    return { username: u, password: p };
  }
  if (env.HOME) {
    const docker = readJson<{ auths?: Record<string, { auth?: string }> }>(path.join(env.HOME, '.docker', 'config.json'), {});
    const auth = docker.auths?.[host]?.auth;
    if (auth) {
      const [username, ...rest] = Buffer.from(auth, 'base64').toString('utf8').split(':');
      return { username, password: rest.join(':') };
    }
  }
  return readJson<Record<string, Credentials>>(home.sim('keychain.json'), {})[host];
}

function recordRequest(home: TartHome, what: string, ref: string): void {
  fs.mkdirSync(home.sim('registry'), { recursive: true });
  fs.appendFileSync(home.sim('registry', 'requests.jsonl'), JSON.stringify({ what, ref, at: Date.now(), pid: process.pid }) + '\n');
}

export function registryRequests(home: TartHome): { what: string; ref: string; at: number; pid: number }[] {
  try {
    return fs
      .readFileSync(home.sim('registry', 'requests.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

const q = (s: string): string => JSON.stringify(s);
const authFailed = (details: string): GenericError =>
  new GenericError(
    `AuthFailed(why: "received unexpected HTTP status code 401 while retrieving an authentication token", details: ${q(details)})`,
  );
const manifestStatus = (code: number, details: string): GenericError =>
  new GenericError(`UnexpectedHTTPStatusCode(when: "pulling manifest", code: ${code}, details: ${q(details)})`);

const UNAUTHORIZED = '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}';
const MANIFEST_UNKNOWN = '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}';

/** Verifies credentials the way a token endpoint would (login's ping uses this too). */
export function checkAuth(home: TartHome, host: string, creds: Credentials | undefined): void {
  const required = readIndex(home).credentials[host];
  if (!required) return;
  if (!creds) throw manifestStatus(401, UNAUTHORIZED);
  if (creds.username !== required.username || creds.password !== required.password) {
    throw authFailed('{"details":"incorrect username or password"}');
  }
}

/** GET the manifest of a remote: the one registry contact of a pull. */
export function fetchManifest(home: TartHome, r: RemoteName, env: NodeJS.ProcessEnv): { digest: string; manifest: Manifest } {
  recordRequest(home, 'manifest', `${repoKey(r)}${r.isDigest ? '@' : ':'}${r.reference}`);
  const f401 = takeFault(home, 'tart.registry_401');
  if (f401) {
    if (str(f401, 'stage', 'token') === 'manifest') throw manifestStatus(401, UNAUTHORIZED);
    throw authFailed(UNAUTHORIZED);
  }
  if (takeFault(home, 'tart.registry_404')) throw manifestStatus(404, MANIFEST_UNKNOWN);
  checkAuth(home, r.host, credentialsFor(home, r.host, env));
  const repo = readIndex(home).repos[repoKey(r)];
  const digest = !repo ? undefined : r.isDigest ? (repo.digests.includes(r.reference) ? r.reference : undefined) : repo.tags[r.reference];
  if (!digest) throw manifestStatus(404, MANIFEST_UNKNOWN);
  const manifest = JSON.parse(fs.readFileSync(path.join(imageVm(home, digest).dir, 'manifest.json'), 'utf8')) as Manifest;
  return { digest, manifest };
}

export interface PublishOptions {
  os: 'darwin' | 'linux';
  sizeGb: number;
  /** Writes the image's files (config.json, disk.img, nvram.bin, guest home) into dir; returns nothing. */
  build: (dir: string, nonce: string) => Promise<void>;
}

/** Builds an image into the registry store and points the tag at it. Returns the new digest. */
export async function publish(home: TartHome, ref: string, opts: PublishOptions): Promise<string> {
  const r = parseRemote(ref);
  if (!r || r.isDigest) throw new Error(`cannot publish to ${ref}: expected host/namespace[:tag]`);
  const staging = home.sim('registry', 'staging', randomBytes(8).toString('hex'));
  const nonce = randomBytes(16).toString('hex');
  await opts.build(staging, nonce);
  const config = fs.readFileSync(path.join(staging, 'config.json'));
  const nvram = fs.readFileSync(path.join(staging, 'nvram.bin'));
  const sizeBytes = opts.sizeGb * 1e9;
  const compressed = Math.round(sizeBytes * 0.22);
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 35, digest: sha256(`{"architecture":"arm64","os":"${opts.os}"}`) },
    layers: [
      { mediaType: 'application/vnd.cirruslabs.tart.config.v1', size: config.length, digest: sha256(config) },
      {
        mediaType: 'application/vnd.cirruslabs.tart.disk.v2',
        size: compressed,
        digest: sha256(`disk/${nonce}`),
        annotations: { 'org.cirruslabs.tart.uncompressed-size': String(sizeBytes) },
      },
      { mediaType: 'application/vnd.cirruslabs.tart.nvram.v1', size: nvram.length, digest: sha256(nvram) },
    ],
    annotations: { 'org.cirruslabs.tart.uncompressed-disk-size': String(sizeBytes), 'org.cirruslabs.tart.sim.nonce': nonce },
  };
  const manifestText = JSON.stringify(manifest);
  const digest = sha256(manifestText);
  fs.writeFileSync(path.join(staging, 'manifest.json'), manifestText);
  fs.mkdirSync(path.join(staging, '.sim', 'guest'), { recursive: true });
  writeJsonAtomic(path.join(staging, '.sim', 'guest', 'image.json'), { digest, fqn: `${repoKey(r)}@${digest}` });
  const target = imageVm(home, digest).dir;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.renameSync(staging, target);
  updateIndex(home, (ix) => {
    const repo = (ix.repos[repoKey(r)] ??= { tags: {}, digests: [] });
    repo.tags[r.reference] = digest;
    if (!repo.digests.includes(digest)) repo.digests.push(digest);
    ix.published += 1;
  });
  return digest;
}
