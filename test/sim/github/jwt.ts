// RS256 JSON web tokens: the App JWT checks of github.md §9.3 and the fake's own jwt-like tokens.
import { createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { base64url } from './util';

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

function parsePart(part: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const header = parsePart(parts[0]);
  const payload = parsePart(parts[1]);
  if (!header || !payload) return null;
  return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
}

/** "A JWT": three dot-separated parts whose header says RS256. */
export function looksLikeJwt(token: string): boolean {
  const d = decodeJwt(token);
  return d !== null && d.header.alg === 'RS256';
}

export function verifyRs256(d: DecodedJwt, publicKeyPem: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(d.signingInput).verify(publicKeyPem, d.signature);
  } catch {
    return false;
  }
}

export function signRs256(payload: Record<string, unknown>, privateKeyPem: string): string {
  const input = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  const sig = createSign('RSA-SHA256').update(input).sign(privateKeyPem);
  return `${input}.${base64url(sig)}`;
}

/** A GitHub App key pair; the private key is PKCS#1 (`BEGIN RSA PRIVATE KEY`) as GitHub hands it out. */
export function generateAppKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** An opaque token shaped like a JWT (header.payload.signature), unsigned. */
export function jwtLike(payload: Record<string, unknown>, signatureBytes = 256): string {
  const head = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5t: randomBytes(12).toString('base64url') }));
  return `${head}.${base64url(JSON.stringify(payload))}.${randomBytes(signatureBytes).toString('base64url')}`;
}
