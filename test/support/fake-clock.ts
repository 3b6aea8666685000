import type { Clock } from '../../src-main/core/util/clock';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/** Let every pending promise callback run (fakes do no real I/O, so this settles the system). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * Fake time for the state machine: timers fire only when the test advances the clock.
 * `runUntil` advances timer by timer, settling in between, until a condition holds.
 */
export class FakeClock implements Clock {
  private t: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start = Date.UTC(2026, 11, 3, 12, 0, 0)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Advances to `ms` later, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await settle();
      const next = this.nextTimer();
      if (!next || next.at > target) break;
      this.fireTimer(next);
    }
    this.t = target;
    await settle();
  }

  /** Fires timers one at a time until `done()` holds; fails after `maxMs` of fake time. */
  async runUntil(done: () => boolean, maxMs = 24 * 3600_000): Promise<void> {
    const limit = this.t + maxMs;
    for (;;) {
      await settle();
      if (done()) return;
      const next = this.nextTimer();
      if (!next) throw new Error('runUntil: condition not met and no timer pending (the system is stuck)');
      if (next.at > limit) throw new Error(`runUntil: condition not met within ${maxMs} ms of fake time`);
      this.fireTimer(next);
    }
  }

  private nextTimer(): Timer | undefined {
    return [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
  }

  private fireTimer(timer: Timer): void {
    this.timers = this.timers.filter((x) => x !== timer);
    this.t = Math.max(this.t, timer.at);
    timer.fire();
  }
}
