// The server clock: real time plus a test-controlled offset plus the gh.clock_skew fault.
// It drives JWT checks, token expiries, rate-limit windows and the `Date` header.
export class ServerClock {
  private offsetMs = 0;

  constructor(private readonly skewSeconds: () => number) {}

  now(): number {
    return Date.now() + this.offsetMs + this.skewSeconds() * 1000;
  }

  nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  setOffset(seconds: number): void {
    this.offsetMs = seconds * 1000;
  }

  offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

/** `2020-01-22T19:33:08Z` (GitHub's REST timestamps, no milliseconds). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2020-01-22T12:13:35.123+00:00` (registration-token expiry format). */
export function isoMillisOffset(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '+00:00');
}
