// OCI image references as tart takes them: host[:port]/namespace/name[:tag|@sha256:<hex>].

export interface OciRef {
  /** Registry host, with the port when one is given. */
  host: string;
  /** Repository path under the host, e.g. `cirruslabs/macos-sequoia-xcode`. */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>` */
  digest?: string;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parses a reference, or returns the problem in words. */
export function parseOciRef(ref: string): OciRef | { problem: string } {
  if (/\s/.test(ref)) return { problem: 'must not contain spaces' };
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { problem: 'has a bad digest: write @sha256:<64 lower-case hex digits>' };
  }
  const slash = rest.indexOf('/');
  const host = slash < 0 ? '' : rest.slice(0, slash);
  const hostLike = host.includes('.') || host.includes(':') || host === 'localhost';
  if (slash < 0 || !hostLike || !HOST.test(host)) {
    return { problem: 'must start with the registry host (host[:port]/namespace/name)' };
  }
  let path = rest.slice(slash + 1);
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (digest) return { problem: 'must carry either :tag or @sha256:…, not both' };
    if (!TAG.test(tag)) return { problem: `has a bad tag "${tag}" (letters, digits, "_", "." and "-", at most 128)` };
  }
  const components = path.split('/');
  if (path === '' || components.some((c) => c === '')) return { problem: 'is missing the image path after the host' };
  if (components.some((c) => c !== c.toLowerCase())) return { problem: 'must have a lower-case image path' };
  if (!components.every((c) => COMPONENT.test(c))) {
    return { problem: 'has an invalid image path (lower-case letters, digits and single ".", "_" or "-" separators)' };
  }
  return { host, repository: path, tag, digest };
}

export function isOciRef(value: OciRef | { problem: string }): value is OciRef {
  return !('problem' in value);
}

/** The reference without its digest: the `host.image.name` telemetry attribute. */
export function imageName(ref: string): string {
  const at = ref.indexOf('@');
  return at < 0 ? ref : ref.slice(0, at);
}
