/**
 * ManualClock: a virtual clock for tests of promise-based code.
 *
 * Invariants:
 * - Time moves only through `advance()`; nothing here waits for real time.
 * - Timers fire in order of due time, then of creation; `now()` equals the due time while a
 *   timer's callback runs.
 * - Between two timers, pending promise callbacks are drained (the "yield, then execute" rule),
 *   so async code scheduled by one timer runs before the next timer fires.
 */
import { type Clock } from './clock.js';

interface PendingTimer {
  readonly dueAt: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** Lets queued promise reactions and I/O callbacks run; this is a yield, not a sleep. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Set<PendingTimer>();

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    const timer: PendingTimer = { dueAt: this.current + Math.max(0, delayMs), seq: this.seq++, callback };
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }

  /** Number of timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushMicrotasks();
    for (let next = this.nextDue(target); next; next = this.nextDue(target)) {
      this.timers.delete(next);
      this.current = next.dueAt;
      next.callback();
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }

  private nextDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.timers) {
      if (timer.dueAt > limit) continue;
      if (!best || timer.dueAt < best.dueAt || (timer.dueAt === best.dueAt && timer.seq < best.seq))
        best = timer;
    }
    return best;
  }
}
