/**
 * Clock: the only source of time for library code.
 *
 * Invariants:
 * - `now()` is milliseconds since the epoch and never goes backwards for one clock.
 * - `setTimer` fires its callback at most once, not before `now() + delayMs`, and never after the
 *   returned cancel function ran.
 * - Library code never calls `Date.now()`, `setTimeout` or `setInterval`; it takes a Clock (or the
 *   RxJS scheduler the Clock is built on) by injection, so tests can run it in virtual time.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `delayMs`. Returns a function that cancels the timer. */
  setTimer(delayMs: number, callback: () => void): () => void;
}

/** A source of uniform random numbers in [0, 1); injected so jitter is reproducible in tests. */
export type Random = () => number;

/** Resolves after `delayMs` on `clock`, or rejects with the signal's reason once it aborts. */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = clock.setTimer(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
