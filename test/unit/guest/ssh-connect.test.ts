import { describe, expect, it } from 'vitest';
import { fingerprint, hostPattern, keyType, knownKeys, matchesPin, openSshLine, parsePin } from '../../../src-main/core/guest/host-key';
import { classify } from '../../../src-main/core/guest/ssh-guest-connector';

// An ed25519 public key blob: string "ssh-ed25519", string <32 bytes>.
function ed25519Blob(fill: number): Buffer {
  const type = Buffer.from('ssh-ed25519');
  const key = Buffer.alloc(32, fill);
  const b = Buffer.alloc(4 + type.length + 4 + key.length);
  b.writeUInt32BE(type.length, 0);
  type.copy(b, 4);
  b.writeUInt32BE(key.length, 4 + type.length);
  key.copy(b, 8 + type.length);
  return b;
}

describe('host keys', () => {
  const blob = ed25519Blob(7);
  const other = ed25519Blob(8);
  const line = `ssh-ed25519 ${blob.toString('base64')}`;

  it('reads the type from the blob and renders an OpenSSH line and a SHA256 fingerprint', () => {
    expect(keyType(blob)).toBe('ssh-ed25519');
    expect(openSshLine(blob)).toBe(line);
    expect(fingerprint(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it.each([
    ['an OpenSSH line with a comment', `${line} admin@image`],
    ['a known_hosts line', `192.168.64.3 ${line}`],
    ['a fingerprint', fingerprint(blob)],
    ['a fingerprint with padding', `${fingerprint(blob)}=`],
  ])('a pin given as %s matches only its key', (_what, pin) => {
    const parsed = parsePin(pin);
    expect(matchesPin(blob, parsed)).toBe(true);
    expect(matchesPin(other, parsed)).toBe(false);
  });

  it('rejects a pin that is neither', () => expect(() => parsePin('hello')).toThrow());

  it('known_hosts patterns: bare host for port 22, [host]:port otherwise; lookups by exact pattern', () => {
    expect(hostPattern('192.168.64.3', 22)).toBe('192.168.64.3');
    expect(hostPattern('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    const text = `# comment\n[127.0.0.1]:2222 ${line}\n127.0.0.1 ssh-ed25519 ${other.toString('base64')}\na,[127.0.0.1]:2222 ssh-rsa AAAA\n`;
    expect(knownKeys(text, '[127.0.0.1]:2222')).toEqual([blob.toString('base64'), 'AAAA']);
    expect(knownKeys(text, '127.0.0.1')).toEqual([other.toString('base64')]);
  });
});

describe('connect failures', () => {
  const err = (message: string, extra: { code?: string; level?: string }) => Object.assign(new Error(message), extra);

  it.each([
    ['auth failure', err('All configured authentication methods failed', { level: 'client-authentication' }), 'ssh_auth', true],
    ['EHOSTUNREACH (Local Network denied)', err('connect EHOSTUNREACH 192.168.64.3:22', { code: 'EHOSTUNREACH', level: 'client-socket' }), 'local_network_denied', true],
    ['ECONNREFUSED', err('connect ECONNREFUSED 192.168.64.3:22', { code: 'ECONNREFUSED', level: 'client-socket' }), 'ssh_refused', false],
    ['ECONNRESET', err('read ECONNRESET', { code: 'ECONNRESET', level: 'client-socket' }), 'ssh_refused', false],
    ['ETIMEDOUT', err('connect ETIMEDOUT 192.168.64.3:22', { code: 'ETIMEDOUT', level: 'client-socket' }), 'ssh_timeout', false],
    ['banner timeout', err('Timed out while waiting for handshake', { level: 'client-timeout' }), 'ssh_timeout', false],
  ])('%s', (_name, e, reason, fatal) => {
    const a = classify(e);
    expect(a.reason).toBe(reason);
    expect(a.fatal).toBe(fatal);
  });

  it('a host key problem wins over the error ssh2 reports for it', () => {
    const a = classify(err('Host denied (verification failed)', { level: 'handshake' }), 'the key is not the pinned one');
    expect(a).toMatchObject({ reason: 'ip_identity_mismatch', fatal: true });
  });

  it('the Local Network message tells the operator where to fix it', () => {
    expect(classify(err('x', { code: 'EHOSTUNREACH' })).message).toContain('Local Network');
  });
});
