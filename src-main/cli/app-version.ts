import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Ekiden's version from the nearest package.json named "ekiden" above this module (the CLI's service.version). */
export function appVersion(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ekiden' && pkg.version) return pkg.version;
    } catch {
      // no package.json here; keep walking up
    }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}
