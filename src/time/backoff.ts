/**
 * Backoff: capped, jittered exponential delays (client-go's reflector backoff by default).
 *
 * Invariants:
 * - Attempt n (1-based) waits `min(maxMs, initialMs * factor^(n-1))`, then jitter adds up to
 *   `jitter` times that, and the result is capped at `maxMs` again: a delay never exceeds `maxMs`.
 * - With `jitter` 0, or a random source that returns 0, delays are exact.
 */
import { type Random } from './clock.js';

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
}

/** client-go's reflector defaults: 800 ms doubling to 30 s, jitter 1.0. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 1 };

export function backoffDelay(attempt: number, options: BackoffOptions, random: Random): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** exponent);
  return Math.min(options.maxMs, base + base * options.jitter * random());
}
