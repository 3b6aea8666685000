/** Exponential backoff with jitter, and a breaker that opens after repeated failures in a window. */
export interface BackoffSettings {
  initialSeconds: number;
  maxSeconds: number;
  jitter: number;
  breakerFailures: number;
  breakerWindowMinutes: number;
}

export class Backoff {
  private consecutive = 0;
  private failures: number[] = [];

  constructor(
    private readonly settings: BackoffSettings,
    private readonly random: () => number = Math.random,
  ) {}

  /** Records a failure at `now` and returns the delay before the next attempt, in ms. */
  fail(now: number): number {
    this.consecutive += 1;
    const windowMs = this.settings.breakerWindowMinutes * 60_000;
    this.failures = [...this.failures.filter((t) => now - t < windowMs), now];
    const base = Math.min(this.settings.maxSeconds, this.settings.initialSeconds * 2 ** (this.consecutive - 1));
    const spread = base * this.settings.jitter;
    return Math.max(0, Math.round((base + (this.random() * 2 - 1) * spread) * 1000));
  }

  succeed(): void {
    this.consecutive = 0;
  }

  /** True when `breakerFailures` failures happened within the window: stop retrying and tell the operator. */
  get open(): boolean {
    return this.failures.length >= this.settings.breakerFailures;
  }

  reset(): void {
    this.consecutive = 0;
    this.failures = [];
  }

  get consecutiveFailures(): number {
    return this.consecutive;
  }
}
