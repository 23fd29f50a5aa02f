/**
 * Rate limiters for the work queue (client-go's `util/workqueue/default_rate_limiters.go`).
 *
 * Invariants:
 * - `when(key)` returns how long to wait before the key's next retry, and records one more
 *   failure for it: it is not a pure read.
 * - `forget(key)` clears the key's history; `numRequeues(key)` reads the failure count.
 * - Exponential: failure n (counted from 0) waits `baseMs * 2^n`, capped at `maxMs` (also on
 *   overflow). Bucket: a global token bucket, every call takes one token. MaxOf: the longest wait.
 */
import { type Clock } from '../time/clock.js';

export interface RateLimiter {
  when(key: string): number;
  forget(key: string): void;
  numRequeues(key: string): number;
}

export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}

  when(key: string): number {
    const count = this.failures.get(key) ?? 0;
    this.failures.set(key, count + 1);
    const delay = this.baseMs * 2 ** count;
    return Number.isFinite(delay) ? Math.min(delay, this.maxMs) : this.maxMs;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** A global token bucket: `qps` tokens a second, holding at most `burst`. */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly qps = 10,
    private readonly burst = 100,
  ) {
    this.tokens = burst;
    this.updatedAt = clock.now();
  }

  when(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.qps);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(): void {}

  numRequeues(): number {
    return 0;
  }
}

export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: readonly RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    return Math.max(0, ...this.limiters.map((limiter) => limiter.when(key)));
  }

  forget(key: string): void {
    for (const limiter of this.limiters) limiter.forget(key);
  }

  numRequeues(key: string): number {
    return Math.max(0, ...this.limiters.map((limiter) => limiter.numRequeues(key)));
  }
}

export interface RateLimiterOptions {
  /** Per-key backoff: first retry after `baseDelayMs`, doubling up to `maxDelayMs`. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Optional global bucket over all keys; absent means per-key backoff only. */
  readonly bucket?: { readonly qps: number; readonly burst: number };
}

/** controller-runtime's default (per-key 5 ms → 1000 s), plus the optional global bucket. */
export function defaultRateLimiter(clock: Clock, options: RateLimiterOptions = {}): RateLimiter {
  const perKey = new ItemExponentialRateLimiter(options.baseDelayMs ?? 5, options.maxDelayMs ?? 1_000_000);
  if (!options.bucket) return perKey;
  return new MaxOfRateLimiter(perKey, new BucketRateLimiter(clock, options.bucket.qps, options.bucket.burst));
}
