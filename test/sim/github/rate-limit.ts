// Primary rate limit per credential (github.md §4, §9.5): an hourly window on the server clock.
// Buckets are tracked always (the headers show them); blocking only when enabled in the config.
import type { ServerClock } from './clock';
import type { RateView } from './http';

export interface Bucket {
  key: string;
  /** `installation ID 12` / `user ID 5` for the limit message. */
  subject: string;
  limit: number;
  used: number;
  reset: number;
}

export const UNAUTHENTICATED_LIMIT = 60;

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(private readonly clock: ServerClock) {}

  bucket(key: string, subject: string, limit: number): Bucket {
    const now = this.clock.nowSec();
    let b = this.buckets.get(key);
    if (!b) {
      b = { key, subject, limit, used: 0, reset: now + 3600 };
      this.buckets.set(key, b);
    }
    b.limit = limit;
    if (now >= b.reset) {
      b.used = 0;
      b.reset = now + 3600;
    }
    return b;
  }

  view(b: Bucket): RateView {
    return { limit: b.limit, remaining: Math.max(0, b.limit - b.used), reset: b.reset, used: b.used };
  }

  reset(): void {
    this.buckets.clear();
  }
}
