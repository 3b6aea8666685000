// The host header's health line: free disk on the TART_HOME volume (a statfs about once a minute)
// and the warn/fail rows of the host preflight (every few minutes; it spawns `tart --version` and
// reads macOS settings, so never per render). Re-read at once when a new host starts.
import os from 'node:os';
import { tartHome } from '../../core/config/paths';
import type { EkidenConfig } from '../../core/config/schema';
import type { HostCheck } from '../../core/host/preflight';
import { volumeUsage } from '../../core/telemetry/filesystem-usage';
import type { Logger } from '../../core/util/logger';
import type { HostHealth, HostWarning } from '../../ipc/types';

/** What the monitor needs from the host controller. */
export interface HealthSource {
  readonly host: { checkHost(): Promise<HostCheck[]> } | undefined;
  readonly loaded: { config: EkidenConfig } | undefined;
  onChange(listener: () => void): () => void;
}

export interface HostHealthOptions {
  source: HealthSource;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Called after each change of `current()`. */
  onChange: () => void;
  /** Default 60 s. */
  diskIntervalMs?: number;
  /** Default 10 min. */
  checksIntervalMs?: number;
  now?: () => number;
}

export function warningsOf(checks: HostCheck[]): HostWarning[] {
  return checks
    .filter((c): c is HostCheck & { status: 'warn' | 'fail' } => c.status === 'warn' || c.status === 'fail')
    .map((c) => ({ check: c.id, status: c.status, message: c.message, ...(c.fix ? { fix: c.fix } : {}) }));
}

export class HostHealthMonitor {
  private health: HostHealth | null = null;
  private watched: HealthSource['host'];
  private timers: NodeJS.Timeout[] = [];
  private checking = false;
  private readonly unsubscribe: () => void;
  private readonly now: () => number;

  constructor(private readonly opts: HostHealthOptions) {
    this.now = opts.now ?? Date.now;
    this.unsubscribe = opts.source.onChange(() => this.follow());
  }

  current(): HostHealth | null {
    return this.health;
  }

  private async refresh(): Promise<void> {
    await Promise.all([this.readDisk(), this.runChecks()]);
  }

  stop(): void {
    this.unsubscribe();
    this.clearTimers();
    this.watched = undefined;
  }

  /** A host appeared, changed or went away: start over with it. */
  private follow(): void {
    const host = this.opts.source.host;
    if (host === this.watched) return;
    this.watched = host;
    this.clearTimers();
    if (!host) {
      this.set(null);
      return;
    }
    this.health = { warnings: [] };
    void this.refresh();
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => void fn(), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.diskIntervalMs ?? 60_000, () => this.readDisk());
    every(this.opts.checksIntervalMs ?? 10 * 60_000, () => this.runChecks());
  }

  private async readDisk(): Promise<void> {
    const host = this.watched;
    const config = this.opts.source.loaded?.config;
    if (!host || !config) return;
    const dir = tartHome(config.tart.home, this.opts.env.HOME ?? os.homedir());
    try {
      const u = await volumeUsage(dir);
      if (host !== this.watched) return;
      this.update({ disk: { tartHome: dir, mountpoint: u.mountpoint, freeBytes: u.freeBytes, usedBytes: u.usedBytes, at: this.now() }, diskProblem: undefined });
    } catch (e) {
      if (host === this.watched) this.update({ diskProblem: `cannot read free space of ${dir}: ${(e as Error).message}` });
    }
  }

  private async runChecks(): Promise<void> {
    const host = this.watched;
    if (!host || this.checking) return;
    this.checking = true;
    try {
      const checks = await host.checkHost();
      if (host === this.watched) this.update({ warnings: warningsOf(checks), checkedAt: this.now() });
    } catch (e) {
      this.opts.logger.log('warn', `host checks failed: ${(e as Error).message}`);
    } finally {
      this.checking = false;
    }
  }

  private update(change: Partial<HostHealth>): void {
    const next: HostHealth = { ...(this.health ?? { warnings: [] }), ...change };
    if (next.diskProblem === undefined) delete next.diskProblem;
    this.set(next);
  }

  private set(health: HostHealth | null): void {
    this.health = health;
    this.opts.onChange();
  }

  private clearTimers(): void {
    this.timers.splice(0).forEach(clearInterval);
  }
}
