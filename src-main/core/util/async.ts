import type { Clock } from './clock';

/** Rejects with the signal's reason as soon as it aborts; otherwise settles like `promise`. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Settles like `work(signal)` unless `ms` passes first on `clock`; then the work's signal is aborted
 * and the promise rejects with `onTimeout()`. The outer signal aborts both.
 */
export async function withDeadline<T>(
  clock: Clock,
  ms: number,
  onTimeout: () => Error,
  work: (signal: AbortSignal) => Promise<T>,
  outer?: AbortSignal,
): Promise<T> {
  const inner = new AbortController();
  const timer = new AbortController();
  const forward = () => inner.abort(outer!.reason);
  if (outer?.aborted) throw outer.reason;
  outer?.addEventListener('abort', forward, { once: true });
  const timeout = clock.sleep(ms, timer.signal).then(
    () => {
      const error = onTimeout();
      inner.abort(error);
      throw error;
    },
    () => new Promise<never>(() => {}),
  );
  try {
    return await Promise.race([abortable(work(inner.signal), inner.signal), timeout]);
  } finally {
    timer.abort();
    outer?.removeEventListener('abort', forward);
  }
}

/** A promise with its resolve/reject exposed (Promise.withResolvers is Node 22+). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Swallows a rejection we deliberately ignore, keeping Node's unhandled-rejection guard quiet. */
export function ignore(promise: Promise<unknown>): void {
  promise.catch(() => {});
}
