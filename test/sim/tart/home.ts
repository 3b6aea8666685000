// The TART_HOME layout of tart.md §1, plus the simulator's private control state under $TART_HOME/.sim
// (the fake tart is spawned with Ekiden's explicit env, so TART_HOME is the only way to find it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJson, writeJsonAtomic } from './fsx';

export interface Timeline {
  /** From `tart run` start until the DHCP lease exists. */
  bootDelayMs: number;
  /** From start until guest SSH accepts connections. */
  sshDelayMs: number;
  /** From start until the guest agent answers on control.sock. */
  agentDelayMs: number;
}

export interface SimConfig {
  instanceId: string;
  version: string;
  guestPort: number;
  /** First three octets of this simulator's guest /24, e.g. "127.83.17". */
  ipBase: string;
  seed: number;
  /** Multiplies every simulated delay (boot, faults, pull duration). CLI flags stay in real seconds. */
  timeScale: number;
  timeline: Timeline;
  leaseTimeSec: number;
  /** Simulated pull duration of one image (before timeScale). */
  pullMs: number;
  /** SIGUSR2 behaviour: a graceful guest stop, or the macOS "shut down?" dialog (nothing happens). */
  usr2Mode: 'graceful' | 'dialog';
  /** JSON key order of list/get: Tart gives no guarantee, so the default shuffles (seeded). */
  jsonKeyOrder: 'declared' | 'shuffled';
  /** Host macOS major version (exec needs 14+). */
  hostMacos: number;
}

export const DEFAULT_CONFIG: SimConfig = {
  instanceId: 'default',
  version: '2.32.1',
  guestPort: 2222,
  ipBase: '127.100.0',
  seed: 1,
  timeScale: 1,
  timeline: { bootDelayMs: 1000, sshDelayMs: 1500, agentDelayMs: 2000 },
  leaseTimeSec: 86_400,
  pullMs: 300,
  usr2Mode: 'graceful',
  jsonKeyOrder: 'shuffled',
  hostMacos: 15,
};

export class TartHome {
  constructor(readonly root: string) {}

  /** TART_HOME, else ~/.tart; created with parents (tart.md §2). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): TartHome {
    const root = env.TART_HOME ?? path.join(env.HOME ?? os.homedir(), '.tart');
    return new TartHome(path.resolve(root));
  }

  get vmsDir(): string {
    return path.join(this.root, 'vms');
  }
  vmDir(name: string): string {
    return path.join(this.vmsDir, name);
  }
  get cacheDir(): string {
    return path.join(this.root, 'cache');
  }
  get ocisDir(): string {
    return path.join(this.cacheDir, 'OCIs');
  }
  get tmpDir(): string {
    return path.join(this.root, 'tmp');
  }
  get simDir(): string {
    return path.join(this.root, '.sim');
  }
  sim(...parts: string[]): string {
    return path.join(this.simDir, ...parts);
  }
  lockFile(name: string): string {
    return this.sim('locks', `${name}.lock`);
  }
  /** The global lock on $TART_HOME (clone, run's MAC check). */
  get homeLock(): string {
    return this.lockFile('home');
  }

  config(): SimConfig {
    const c = readJson<Partial<SimConfig>>(this.sim('config.json'), {});
    return { ...DEFAULT_CONFIG, ...c, timeline: { ...DEFAULT_CONFIG.timeline, ...(c.timeline ?? {}) } };
  }
  writeConfig(c: SimConfig): void {
    writeJsonAtomic(this.sim('config.json'), c);
  }

  /** Simulated delay in real milliseconds. */
  scaled(ms: number): number {
    return Math.max(0, Math.round(ms * this.config().timeScale));
  }

  ensure(): void {
    fs.mkdirSync(this.vmsDir, { recursive: true });
    fs.mkdirSync(this.ocisDir, { recursive: true });
    fs.mkdirSync(this.tmpDir, { recursive: true });
    fs.mkdirSync(this.sim('locks'), { recursive: true });
  }
}
