// The renderer is served from ekiden://app/… rather than file://, so it has a real origin, every
// response carries the CSP, and nothing outside the renderer folder can be read.
import type { Protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SECURITY_HEADERS } from './csp';

export const APP_SCHEME = 'ekiden';
export const APP_HOST = 'app';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Must run before the app is ready. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Whether a URL is our renderer's (ekiden://app/…). */
export function isAppSchemeUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

const plain = (status: number, text: string) =>
  new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS } });

/** The response for one ekiden:// request: a file below `root`, with the security headers. */
export async function rendererResponse(root: string, url: string): Promise<Response> {
  if (!isAppSchemeUrl(url)) return plain(404, 'not found');
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return plain(400, 'bad path');
  }
  const base = path.resolve(root);
  const file = path.resolve(base, `.${pathname === '/' ? '/index.html' : pathname}`);
  if (!file.startsWith(base + path.sep)) return plain(403, 'forbidden');
  try {
    const body = await readFile(file);
    const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return new Response(body, { status: 200, headers: { 'Content-Type': type, ...SECURITY_HEADERS } });
  } catch {
    return plain(404, 'not found');
  }
}

export function serveRenderer(protocol: Pick<Protocol, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, (request) => rendererResponse(root, request.url));
}
