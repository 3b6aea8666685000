import os from 'node:os';

/** Host ids go into VM and runner names (`ekiden-<host>-<slot>-<id>`), so they stay short and plain. */
export const HOST_ID = /^[a-z0-9-]+$/;
export const HOST_ID_MAX = 32;

/** The default host id: the lower-cased short host name, reduced to `[a-z0-9-]`. */
export function defaultHostId(hostname: string = os.hostname()): string {
  const short = hostname.split('.')[0].toLowerCase();
  const id = short
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, HOST_ID_MAX)
    .replace(/-+$/, '');
  return id || 'host';
}
