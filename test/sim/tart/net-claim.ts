// Each simulator instance owns a loopback /24 (127.X.Y.0/24), claimed in a shared directory so
// parallel test files never hand out the same guest address.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { tryLock, unlock } from './fsx';

const claimsDir = (): string => path.join(os.tmpdir(), 'tart-sim-nets');

export function claimIpBase(): { base: string; release: () => void } {
  fs.mkdirSync(claimsDir(), { recursive: true });
  for (let attempt = 0; attempt < 500; attempt++) {
    const x = randomInt(16, 255);
    const y = randomInt(0, 256);
    if (x === 100 && y === 0) continue; // the default base of a hand-run fake tart
    const file = path.join(claimsDir(), `127.${x}.${y}.lock`);
    if (tryLock(file)) return { base: `127.${x}.${y}`, release: () => unlock(file) };
  }
  throw new Error('no free loopback /24 for the tart simulator');
}
