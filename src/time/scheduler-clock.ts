/**
 * SchedulerClock: a Clock backed by an RxJS scheduler.
 *
 * Invariants:
 * - Time and timers come only from the scheduler, so one injected scheduler drives both the
 *   RxJS streams (informers) and the promise-based parts (work queue, controllers).
 * - With `asyncScheduler` this is real time; inside `TestScheduler.run()` it is virtual time.
 */
import { type SchedulerLike } from 'rxjs';

import { type Clock } from './clock.js';

export class SchedulerClock implements Clock {
  constructor(readonly scheduler: SchedulerLike) {}

  now(): number {
    return this.scheduler.now();
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    const subscription = this.scheduler.schedule(callback, Math.max(0, delayMs));
    return () => subscription.unsubscribe();
  }
}
