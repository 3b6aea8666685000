// `host[:port]/namespace[:tag|@sha256:hex]` and its place in the OCI cache.
import path from 'node:path';

export interface RemoteName {
  host: string;
  namespace: string;
  /** `latest`, a tag, or `sha256:<hex>`. */
  reference: string;
  isDigest: boolean;
}

/** Local VM names never contain a slash; anything with one is a remote. */
export function isRemote(s: string): boolean {
  return s.includes('/');
}

export function parseRemote(s: string): RemoteName | undefined {
  const slash = s.indexOf('/');
  if (slash <= 0) return undefined;
  const host = s.slice(0, slash);
  let rest = s.slice(slash + 1);
  let reference = 'latest';
  let isDigest = false;
  const at = rest.indexOf('@');
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
    isDigest = true;
    if (!/^sha256:[0-9a-f]{64}$/.test(reference)) return undefined;
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  if (!rest || !/^[a-z0-9][a-z0-9._/-]*$/.test(rest) || !/^[A-Za-z0-9.\-:[\]]+$/.test(host)) return undefined;
  if (!isDigest && !/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(reference)) return undefined;
  return { host, namespace: rest, reference, isDigest };
}

export function remoteText(r: RemoteName): string {
  return `${r.host}/${r.namespace}${r.isDigest ? '@' : ':'}${r.reference}`;
}

export function digestName(r: RemoteName, digest: string): RemoteName {
  return { host: r.host, namespace: r.namespace, reference: digest, isDigest: true };
}

/** Percent-encodes the host for its cache directory (`reg:5000` -> `reg%3A5000`). */
export function pctHost(host: string): string {
  return host.replace(/[^A-Za-z0-9\-._~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

export function cachePath(ocisDir: string, r: RemoteName): string {
  return path.join(ocisDir, pctHost(r.host), ...r.namespace.split('/'), r.reference);
}

export function hostCacheDir(ocisDir: string, host: string): string {
  return path.join(ocisDir, pctHost(host));
}
