/**
 * CallRateLimiter: a client-side token bucket for one AWS throttling bucket (for example ECS's
 * task-read bucket shared by ListTasks and DescribeTasks), so the controller never uses more than
 * its share of the account's budget and never starves other users of it.
 *
 * Invariants:
 * - At most `burst` calls pass at once; after that, calls pass at `perSecond` on average.
 * - Callers are served in arrival order; waiting happens on the injected clock.
 * - A waiting caller whose signal aborts stops waiting and gives its slot back.
 */
import { type Clock, sleep } from '../time/clock.js';

export class CallRateLimiter {
  private tokens: number;
  private updatedAt: number;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    readonly perSecond: number,
    private readonly burst: number = Math.max(1, Math.ceil(perSecond)),
  ) {
    this.tokens = this.burst;
    this.updatedAt = clock.now();
  }

  /** Resolves when the caller may make one call. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.tail.then(() => this.take(signal));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      await sleep(this.clock, ((1 - this.tokens) / this.perSecond) * 1000, signal);
      this.refill();
    }
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }
}
