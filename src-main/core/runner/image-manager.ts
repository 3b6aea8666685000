import { EkidenError, isEkidenError } from '../errors';
import type { EventBus } from '../events/bus';
import type { VmBackend } from '../host/vm-backend';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';

export interface ImageSettings {
  ref: string;
  pullPolicy: 'always-check' | 'if-missing' | 'pinned';
  checkIntervalMinutes: number;
  /** Tart's OCI cache is pruned to this many GB after a new digest arrives (tart.md §9.9). */
  cacheBudgetGb?: number;
}

export interface CycleImage {
  /** What to clone: the digest-qualified name, so the job's record names exactly what ran. */
  source: string;
  digest: string;
  /** Seconds `tart pull` took for this request; absent when no pull was needed. */
  pullSeconds?: number;
}

/**
 * Keeps the VM image fresh for all slots: one `tart pull` at a time, on the policy's schedule
 * (cheap when unchanged), the digest recorded per cycle; a new digest is used from the next clone.
 */
export class ImageManager {
  private lastCheck = -Infinity;
  private current: CycleImage | undefined;
  private inFlight: Promise<CycleImage> | undefined;

  constructor(
    private settings: ImageSettings,
    private readonly deps: { backend: VmBackend; bus: EventBus; clock: Clock; logger: Logger },
  ) {}

  update(settings: ImageSettings): void {
    if (settings.ref !== this.settings.ref) {
      this.current = undefined;
      this.lastCheck = -Infinity;
    }
    this.settings = settings;
  }

  get inUse(): CycleImage | undefined {
    return this.current;
  }

  /** The image a new cycle should clone, pulling first when the policy says so. */
  forCycle(signal: AbortSignal, onLine?: (line: string) => void): Promise<CycleImage> {
    this.inFlight ??= this.resolve(signal, onLine).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async resolve(signal: AbortSignal, onLine?: (line: string) => void): Promise<CycleImage> {
    const { ref, pullPolicy, checkIntervalMinutes } = this.settings;
    const due = this.deps.clock.now() - this.lastCheck >= checkIntervalMinutes * 60_000;
    const needPull = !this.current || (pullPolicy === 'always-check' && due);
    let pullSeconds: number | undefined;
    if (needPull) {
      let cached: string | undefined;
      if (pullPolicy !== 'always-check') cached = await this.fqnOrUndefined(ref);
      if (!cached) pullSeconds = await this.pull(ref, signal, onLine);
      this.lastCheck = this.deps.clock.now();
      const fqn = cached ?? (await this.deps.backend.fqn(ref));
      this.setCurrent(fqn);
    }
    return { ...this.current!, pullSeconds };
  }

  /** Scheduled refresh between cycles (always-check policy); failures are reported, never thrown. */
  async refresh(signal: AbortSignal): Promise<void> {
    if (this.settings.pullPolicy !== 'always-check') return;
    try {
      await this.forCycle(signal);
    } catch (error) {
      this.deps.logger.log('warn', `scheduled image check failed: ${(error as Error).message}`, { source: 'host' });
    }
  }

  private async pull(ref: string, signal: AbortSignal, onLine?: (line: string) => void): Promise<number> {
    const started = this.deps.clock.now();
    const seconds = () => (this.deps.clock.now() - started) / 1000;
    try {
      const result = await this.deps.backend.pull(ref, {
        signal,
        // The requesting slot logs the lines in its own log (retries visible there, field-failures #48).
        onLine: onLine ?? ((line) => this.deps.logger.log('info', line, { source: 'tart', scope: 'tart' })),
      });
      const digest = digestOf(await this.deps.backend.fqn(ref));
      this.deps.bus.emit({
        type: 'image.pulled', at: this.deps.clock.now(), ref, seconds: seconds(), digest,
        result: result.changed ? 'updated' : 'unchanged',
      });
      if (result.changed && this.settings.cacheBudgetGb) await this.prune(this.settings.cacheBudgetGb);
      return seconds();
    } catch (error) {
      this.deps.bus.emit({ type: 'image.pulled', at: this.deps.clock.now(), ref, result: 'failed', seconds: seconds() });
      if (isEkidenError(error)) throw error;
      throw new EkidenError('pull_failed', `Pulling ${ref} failed: ${(error as Error).message}`, undefined, { cause: error });
    }
  }

  /**
   * Our own budgeted prune (tart's auto-prune is off): least recently used entries go first, so the
   * digest just pulled, the most recent, stays. A failed prune is logged and never stops a cycle.
   */
  private async prune(budgetGb: number): Promise<void> {
    try {
      await this.deps.backend.prune({ spaceBudgetGb: budgetGb });
    } catch (error) {
      this.deps.logger.log('warn', `pruning the image cache to ${budgetGb} GB failed: ${(error as Error).message}`, { source: 'host' });
    }
  }

  private async fqnOrUndefined(ref: string): Promise<string | undefined> {
    try {
      return await this.deps.backend.fqn(ref);
    } catch {
      return undefined;
    }
  }

  private setCurrent(fqn: string): void {
    const digest = digestOf(fqn);
    const changed = this.current?.digest !== digest;
    this.current = { source: fqn, digest };
    if (changed) {
      this.deps.logger.log('info', `image in use: ${fqn}`, { source: 'host' });
      this.deps.bus.emit({ type: 'image.current', at: this.deps.clock.now(), ref: this.settings.ref, digest });
    }
  }
}

export function digestOf(fqn: string): string {
  const at = fqn.lastIndexOf('@');
  return at >= 0 ? fqn.slice(at + 1) : fqn;
}
