// Guest SSH host keys: fingerprints, pins, and a known-hosts file private to one VM (tart.md §7,
// field-failures #19). The user's ~/.ssh/known_hosts is never read or written.
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The key type named inside an SSH public key blob (its first SSH string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return len > 0 && 4 + len <= blob.length ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown';
}

/** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function openSshLine(blob: Buffer): string {
  return `${keyType(blob)} ${blob.toString('base64')}`;
}

export interface ParsedPin {
  /** Set for an OpenSSH public key line. */
  type?: string;
  base64?: string;
  /** Set for a `SHA256:` fingerprint. */
  fingerprint?: string;
}

/** Accepts `SHA256:…`, `<type> <base64> [comment]`, or a known_hosts line `<host> <type> <base64>`. */
export function parsePin(pin: string): ParsedPin {
  const text = pin.trim();
  if (text.startsWith('SHA256:')) return { fingerprint: text.replace(/=+$/, '') };
  const tokens = text.split(/\s+/);
  const i = tokens.findIndex((t) => /^(?:ssh-|ecdsa-|sk-)/.test(t));
  if (i < 0 || !tokens[i + 1]) throw new Error('pinned host key is neither an OpenSSH public key line nor a SHA256 fingerprint');
  return { type: tokens[i], base64: tokens[i + 1] };
}

export function matchesPin(blob: Buffer, pin: ParsedPin): boolean {
  if (pin.fingerprint) return fingerprint(blob) === pin.fingerprint;
  return blob.toString('base64') === pin.base64;
}

/** The known_hosts host pattern: bare for port 22, `[host]:port` otherwise. */
export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The keys (base64 blobs) a known-hosts file records for one host pattern. */
export function knownKeys(text: string, pattern: string): string[] {
  const keys: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [hosts, , base64] = line.trim().split(/\s+/);
    if (!hosts || !base64 || hosts.startsWith('#')) continue;
    if (hosts.split(',').includes(pattern)) keys.push(base64);
  }
  return keys;
}

/** A known-hosts file owned by one VM: trust on first use, then refuse any other key. */
export class VmKnownHosts {
  private keys: string[] = [];

  constructor(
    readonly file: string,
    private readonly pattern: string,
  ) {}

  async load(): Promise<void> {
    try {
      this.keys = knownKeys(await readFile(this.file, 'utf8'), this.pattern);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.keys = [];
    }
  }

  /** 'new' when nothing is recorded for this host yet. */
  check(blob: Buffer): 'match' | 'new' | 'mismatch' {
    if (this.keys.length === 0) return 'new';
    return this.keys.includes(blob.toString('base64')) ? 'match' : 'mismatch';
  }

  async remember(blob: Buffer): Promise<void> {
    const base64 = blob.toString('base64');
    if (this.keys.includes(base64)) return;
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await appendFile(this.file, `${this.pattern} ${openSshLine(blob)}\n`, { mode: 0o600 });
    this.keys.push(base64);
  }
}
