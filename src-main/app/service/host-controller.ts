// Owns the app's EkidenHost: builds it from the configuration in effect (local file + managed
// settings, secrets from the app's store), starts, pauses, restarts it and applies saved settings.
// Electron-free, so the WebSocket bridge can run the same controller.
import { mkdir, stat } from 'node:fs/promises';
import { ConfigError } from '../../core/config/config-error';
import { loadEffectiveConfig } from '../../core/config/effective';
import { readManagedSettings, type ReadManagedOptions } from '../../core/config/managed';
import { resolveSecrets, type SecretStore } from '../../core/config/secrets';
import { createEkidenHost, type EkidenHost, type EkidenHostOptions } from '../../core/ekiden-host';
import type { EventBus } from '../../core/events/bus';
import type { HostSnapshot } from '../../core/runner/supervisor';
import type { LogBuffer } from '../../core/telemetry/log-buffer';
import type { Redactor } from '../../core/telemetry/redact';
import type { Logger } from '../../core/util/logger';
import type { ApplyMode, ServiceState, ServiceStatus } from '../../ipc/types';
import { restartReasons, type HostSettings } from './restart-reasons';

export interface HostControllerOptions {
  configFile: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  secretStore: SecretStore;
  bus: EventBus;
  redactor: Redactor;
  logs: LogBuffer;
  logger: Logger;
  appVersion: string;
  managed?: ReadManagedOptions;
  /** Passed through to createEkidenHost (tests: short host retries, tart env). */
  hostOptions?: Pick<EkidenHostOptions, 'clock' | 'tartEnv' | 'telemetry' | 'hostRetrySeconds'>;
  /** First retry after a start failed for a reason other than the configuration. Default 30 s. */
  startRetryMs?: number;
}

export interface LoadedSettings extends HostSettings {
  managedPaths: string[];
  managedSources: string[];
}

const MAX_START_RETRY_MS = 10 * 60_000;

export class HostController {
  private current: EkidenHost | undefined;
  private settings: LoadedSettings | undefined;
  private status: ServiceStatus = 'starting';
  private problem: ServiceState['problem'];
  private readonly listeners = new Set<() => void>();
  /** Start, apply and restart run one at a time. */
  private lifecycle: Promise<unknown> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private quitting = false;
  private readonly log: Logger;

  constructor(private readonly opts: HostControllerOptions) {
    this.retryDelay = opts.startRetryMs ?? 30_000;
    this.log = opts.logger.child({ scope: 'app' });
  }

  get host(): EkidenHost | undefined {
    return this.current;
  }

  /** The settings the running host was built from. */
  get loaded(): LoadedSettings | undefined {
    return this.settings;
  }

  get configFile(): string {
    return this.opts.configFile;
  }

  get stateDir(): string {
    return this.opts.stateDir;
  }

  state(): ServiceState {
    return this.problem ? { status: this.status, problem: this.problem } : { status: this.status };
  }

  snapshot(): HostSnapshot | null {
    return this.current?.snapshot() ?? null;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The configuration in effect with its secrets; throws ConfigError naming every problem. */
  async loadSettings(): Promise<LoadedSettings> {
    const managed = await readManagedSettings(this.opts.managed);
    const { config, managedPaths, managedSources } = await loadEffectiveConfig(this.opts.configFile, managed);
    const secrets = await resolveSecrets(config, { env: this.opts.env, store: this.opts.secretStore });
    return { config, secrets, managedPaths, managedSources };
  }

  start(): Promise<void> {
    return this.serial(() => this.startHost());
  }

  /** Pause = drain; resolves at once, the host reports its progress on the bus. */
  pause(): void {
    const host = this.requireHost('pause');
    host.pause().catch((e: Error) => this.log.log('error', `pause failed: ${e.message}`));
  }

  /** Resume a paused host, re-check a host-wide error, or start again after Stop. */
  resume(): void {
    if (!this.current || this.status === 'stopped' || this.status === 'error' || this.status === 'unconfigured') {
      void this.start();
      return;
    }
    this.current.resume().catch((e: Error) => this.log.log('error', `resume failed: ${e.message}`));
  }

  /** Cancels running jobs and removes every VM and runner; the app stays open, stopped. */
  stopNow(): void {
    const host = this.requireHost('stop');
    this.setStatus('stopping');
    host.shutdown('now').then(
      () => {
        if (this.current === host && !this.quitting) this.setStatus('stopped');
      },
      (e: Error) => this.log.log('error', `stop failed: ${e.message}`),
    );
  }

  restartSlot(slot: number): void {
    this.requireHost('restart a slot').supervisor.restartSlot(slot);
  }

  /** After the Mac wakes: cut backoff waits short and re-check the host, unless paused or stopped. */
  reprobe(): void {
    const host = this.current;
    if (!host || this.status !== 'running') return;
    const snap = host.snapshot();
    if (snap.paused || snap.draining || snap.stopped) return;
    this.log.log('info', 'the Mac woke up: re-checking the host and the slots');
    host.resume().catch(() => {});
    host.checkHost().catch((e: Error) => this.log.log('warn', `host checks failed: ${e.message}`));
  }

  /**
   * Applies the saved configuration: between cycles when the running host can take it, else on a new
   * host once running jobs finish. `not-applied` when it cannot be loaded (see `state().problem`).
   */
  async apply(): Promise<ApplyMode> {
    if (this.quitting) return 'not-applied';
    const idle = !this.current || this.status === 'stopped' || this.status === 'error' || this.status === 'unconfigured';
    if (idle) {
      void this.start();
      return 'on-start';
    }
    if (this.status !== 'running') {
      // A start or restart is under way: apply once it is done, with whatever is saved by then.
      void this.serial(() => this.applyNow());
      return 'after-restart';
    }
    return this.applyNow();
  }

  private async applyNow(): Promise<ApplyMode> {
    const host = this.current;
    const current = this.settings;
    if (!host || !current || this.quitting) return 'not-applied';
    let next: LoadedSettings;
    try {
      next = await this.loadSettings();
    } catch (e) {
      this.problem = this.describe(e);
      this.emit();
      return 'not-applied';
    }
    this.problem = undefined;
    const reasons = restartReasons(current, next);
    if (reasons.length === 0) {
      host.reconfigure(next.config, next.secrets);
      this.settings = next;
      this.log.log('info', 'settings applied; they take effect from the next cycle');
      this.emit();
      return 'between-cycles';
    }
    this.log.log('info', `settings saved; ${reasons.join(', ')} changed, so Ekiden restarts once running jobs finish`);
    this.setStatus('restarting');
    void this.serial(async () => {
      await host.shutdown('drain');
      await this.startHost();
    });
    return 'after-restart';
  }

  /** Quit: drain or stop now; either way no VM or runner of ours is left when this resolves. */
  async shutdown(how: 'drain' | 'now'): Promise<void> {
    this.quitting = true;
    clearTimeout(this.retryTimer);
    this.setStatus('stopping');
    await this.current?.shutdown(how);
    // A start or restart in flight sees `quitting` and shuts down what it built.
    await this.lifecycle.catch(() => {});
    if (this.current && !this.current.snapshot().stopped) await this.current.shutdown(how);
    this.setStatus('stopped');
  }

  private requireHost(what: string): EkidenHost {
    if (!this.current || this.status === 'stopped') {
      throw new Error(`cannot ${what}: Ekiden is not running${this.problem ? ` (${this.problem.message.split('\n')[0]})` : ''}`);
    }
    return this.current;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(op, op);
    this.lifecycle = run.catch(() => {});
    return run;
  }

  private async startHost(): Promise<void> {
    if (this.quitting) return;
    clearTimeout(this.retryTimer);
    // Never two hosts at once: one that still runs is drained first.
    if (this.current && !this.current.snapshot().stopped) await this.current.shutdown('drain');
    if (this.quitting) return;
    this.setStatus('starting');
    let settings: LoadedSettings;
    try {
      settings = await this.loadSettings();
    } catch (e) {
      await this.fail(e);
      return;
    }
    let host: EkidenHost;
    try {
      await mkdir(this.opts.stateDir, { recursive: true, mode: 0o700 });
      host = await createEkidenHost({
        ...this.opts.hostOptions,
        config: settings.config,
        secrets: settings.secrets,
        stateDir: this.opts.stateDir,
        env: this.opts.env,
        bus: this.opts.bus,
        redactor: this.opts.redactor,
        logs: this.opts.logs,
        appVersion: this.opts.appVersion,
      });
    } catch (e) {
      await this.fail(e);
      return;
    }
    this.current = host;
    this.settings = settings;
    this.problem = undefined;
    this.retryDelay = this.opts.startRetryMs ?? 30_000;
    if (this.quitting) {
      await host.shutdown('now');
      return;
    }
    await host.start();
    this.setStatus('running');
  }

  private async fail(e: unknown): Promise<void> {
    this.problem = this.describe(e);
    const missing = e instanceof ConfigError && (await stat(this.opts.configFile).then(() => false, () => true));
    this.log.log('error', `Ekiden cannot start: ${this.problem.message}`);
    this.setStatus(missing ? 'unconfigured' : 'error');
    // A bad configuration waits for new settings; anything else (network, GitHub) is retried.
    if (!(e instanceof ConfigError) && !this.quitting) {
      const delay = this.retryDelay;
      this.retryDelay = Math.min(this.retryDelay * 2, MAX_START_RETRY_MS);
      this.retryTimer = setTimeout(() => void this.start(), delay);
      this.retryTimer.unref();
    }
  }

  private describe(e: unknown): NonNullable<ServiceState['problem']> {
    const redact = (t: string) => this.opts.redactor.redact(t);
    if (e instanceof ConfigError) return { name: e.name, message: redact(e.message), issues: e.issues.map((i) => ({ ...i, message: redact(i.message) })) };
    if (e instanceof Error) return { name: e.name, message: redact(e.message) };
    return { name: 'Error', message: redact(String(e)) };
  }

  private setStatus(status: ServiceStatus): void {
    this.status = status;
    this.emit();
  }

  private emit(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch (e) {
        this.log.log('warn', `a state listener failed: ${(e as Error).message}`);
      }
    }
  }
}
