// Pure parsers of tart's output (tart.md §4). Keys are read by name: tart does not sort them.
import type { VmInfo } from '../vm-backend';

export class TartParseError extends Error {
  override readonly name = 'TartParseError';
}

type Json = Record<string, unknown>;

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TartParseError(`tart ${what}: output is not JSON: ${text.slice(0, 120)}`, { cause: e });
  }
}

function field<T>(obj: Json, key: string, kind: 'string' | 'number' | 'boolean', what: string): T {
  const value = obj[key];
  if (typeof value !== kind) throw new TartParseError(`tart ${what}: "${key}" should be a ${kind}, got ${JSON.stringify(value)}`);
  return value as T;
}

const STATES = ['running', 'suspended', 'stopped'] as const;

function state(value: unknown, running: boolean): VmInfo['state'] {
  if (typeof value === 'string' && (STATES as readonly string[]).includes(value)) return value as VmInfo['state'];
  // Older tarts print no State; Running still says enough.
  return running ? 'running' : 'stopped';
}

/** `tart list --format json`: an array of {Source, Name, Disk, Size, Accessed, Running, State}. */
export function parseList(text: string): VmInfo[] {
  const data = parseJson(text.trim() === '' ? '[]' : text, 'list');
  if (!Array.isArray(data)) throw new TartParseError('tart list: expected a JSON array');
  return data.map((raw) => {
    if (raw === null || typeof raw !== 'object') throw new TartParseError('tart list: expected objects');
    const obj = raw as Json;
    const running = field<boolean>(obj, 'Running', 'boolean', 'list');
    const source = field<string>(obj, 'Source', 'string', 'list').toLowerCase();
    return {
      name: field<string>(obj, 'Name', 'string', 'list'),
      source: source === 'oci' ? 'oci' : 'local',
      running,
      state: state(obj.State, running),
      sizeGb: typeof obj.Size === 'number' ? obj.Size : Number(obj.Size ?? 0),
      diskGb: typeof obj.Disk === 'number' ? obj.Disk : Number(obj.Disk ?? 0),
      accessed: typeof obj.Accessed === 'string' ? obj.Accessed : '',
    };
  });
}

export interface VmDetails {
  os: 'darwin' | 'linux';
  cpu: number;
  memoryMb: number;
  diskGb: number;
  diskFormat: string;
  sizeGb: number;
  display: string;
  running: boolean;
  state: VmInfo['state'];
}

/** `tart get <vm> --format json`. */
export function parseGet(text: string): VmDetails {
  const obj = parseJson(text, 'get');
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new TartParseError('tart get: expected a JSON object');
  const o = obj as Json;
  const running = field<boolean>(o, 'Running', 'boolean', 'get');
  const os = field<string>(o, 'OS', 'string', 'get');
  return {
    os: os === 'linux' ? 'linux' : 'darwin',
    cpu: field<number>(o, 'CPU', 'number', 'get'),
    memoryMb: field<number>(o, 'Memory', 'number', 'get'),
    diskGb: field<number>(o, 'Disk', 'number', 'get'),
    diskFormat: typeof o.DiskFormat === 'string' ? o.DiskFormat : 'raw',
    // Size is a decimal string ("21.734"); accept a number too.
    sizeGb: Number(o.Size ?? 0),
    display: typeof o.Display === 'string' ? o.Display : '',
    running,
    state: state(o.State, running),
  };
}

export interface PullOutcome {
  /** false when the tag already pointed at the cached digest (`already cached and linked!`). */
  changed: boolean;
  /** The digest-qualified name when tart printed one. */
  digestName?: string;
}

const CACHED_AND_LINKED = /^(\S+@sha256:[0-9a-f]+) image is already cached and linked!$/;
const CACHED_NEW_LINK = /^(\S+@sha256:[0-9a-f]+) image is already cached! creating a symlink\.\.\.$/;

/** `tart pull` stdout lines. A local VM of that name ("nothing to pull here!") is unchanged too. */
export function parsePull(lines: string[]): PullOutcome {
  for (const raw of lines) {
    const line = raw.trim();
    const linked = CACHED_AND_LINKED.exec(line);
    if (linked) return { changed: false, digestName: linked[1] };
    if (/^".*" is a local image, nothing to pull here!$/.test(line)) return { changed: false };
    const relinked = CACHED_NEW_LINK.exec(line);
    if (relinked) return { changed: true, digestName: relinked[1] };
  }
  return { changed: true };
}

/** `tart --version`: the release tag (`2.32.1`) or `SNAPSHOT`. */
export function parseVersion(text: string): string {
  const line = text.trim().split(/\r?\n/)[0]?.trim() ?? '';
  if (line === 'SNAPSHOT' || /^\d+\.\d+(?:\.\d+)?(?:[-+][\w.]+)?$/.test(line)) return line;
  throw new TartParseError(`tart --version: unexpected output ${JSON.stringify(text.slice(0, 80))}`);
}

/** Compares dotted versions numerically; returns <0, 0, >0. Non-numeric parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[-+]/)[0].split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[-+]/)[0].split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `tart fqn <ref>`: `host/ns@sha256:<hex>` for a cached remote, the name itself for a local VM. */
export function parseFqn(text: string): string {
  const line = text.trim().split(/\r?\n/)[0]?.trim() ?? '';
  if (line === '' || /\s/.test(line)) throw new TartParseError(`tart fqn: unexpected output ${JSON.stringify(text.slice(0, 120))}`);
  return line;
}

/** The `sha256:<hex>` part of a digest-qualified name, if any. */
export function digestOf(fqn: string): string | undefined {
  return /@(sha256:[0-9a-f]+)$/.exec(fqn)?.[1];
}

/** `tart ip`: one IPv4 line. */
export function parseIp(text: string): string {
  const line = text.trim().split(/\r?\n/)[0]?.trim() ?? '';
  const parts = line.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new TartParseError(`tart ip: not an IPv4 address: ${JSON.stringify(line)}`);
  }
  return line;
}

/** The `macAddress` of a VM's config.json (tart.md §1). */
export function parseVmConfigMac(text: string): string {
  const obj = parseJson(text, 'config.json') as Json;
  const mac = obj?.macAddress;
  if (typeof mac !== 'string' || !/^[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5}$/i.test(mac)) {
    throw new TartParseError(`config.json: no valid macAddress (${JSON.stringify(mac)})`);
  }
  return normalizeMac(mac);
}

/** Lower case, two hex digits per octet, so MACs from tart and from ifconfig compare equal. */
export function normalizeMac(mac: string): string {
  return mac.trim().toLowerCase().split(':').map((o) => o.padStart(2, '0')).join(':');
}
