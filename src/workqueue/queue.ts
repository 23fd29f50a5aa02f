/**
 * WorkQueue: a deduplicating, rate-limited, delaying queue of string keys, with client-go's
 * semantics and controller-runtime's priority-queue rule for delays.
 *
 * Invariants:
 * 1. Fair: keys are handed out in the order they first became ready.
 * 2. Stingy: a key added many times before a worker takes it is handed out once.
 * 3. No key is held by two workers at once: a key in `processing` is never handed out.
 * 4. A key added while it is processing is handed out once more, after `done(key)`.
 * 5. Delays: of several pending delays for one key, the earliest wins; an immediate `add` beats
 *    any pending delay and cancels it (the delays collapse, as in controller-runtime).
 * 6. `addRateLimited` waits `rateLimiter.when(key)`; `forget` resets the key's backoff, but the
 *    worker must still call `done`.
 * 7. After `shutDown()`, adds are ignored and pending delays dropped; keys already queued are still
 *    handed out, then `get()` resolves `undefined`. `shutDownWithDrain()` also waits for every
 *    key being processed to be `done`.
 * Every key's retries and delays run on the injected clock.
 */
import { type Clock } from '../time/clock.js';
import { DelayHeap } from './delay-heap.js';
import { NO_QUEUE_OBSERVER, type QueueObserver } from './queue-observer.js';
import { ItemExponentialRateLimiter, type RateLimiter } from './rate-limiters.js';

export interface WorkQueueOptions {
  readonly name: string;
  readonly clock: Clock;
  readonly rateLimiter?: RateLimiter;
  readonly observer?: QueueObserver;
}

export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter;
  private readonly observer: QueueObserver;

  private readonly queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting = new DelayHeap();
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private cancelTimer: (() => void) | undefined;
  private timerAt: number | undefined;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.clock = options.clock;
    this.rateLimiter = options.rateLimiter ?? new ItemExponentialRateLimiter();
    this.observer = options.observer ?? NO_QUEUE_OBSERVER;
  }

  /** Keys ready to be handed out. For information only: never gate logic on it. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Keys waiting for a delayed add. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  get processingCount(): number {
    return this.processing.size;
  }

  /** Nothing ready and nothing being processed (delayed keys may still wait). */
  get isIdle(): boolean {
    return this.length === 0 && this.processing.size === 0;
  }

  /**
   * Keys that failed and have not succeeded since: waiting for their retry (delayed) or being
   * retried right now (processing), i.e. with a non-zero failure count.
   */
  retryingKeys(): string[] {
    const keys = new Set([...this.waiting.keys(), ...this.processing]);
    return [...keys].filter((key) => this.rateLimiter.numRequeues(key) > 0);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.waiting.remove(key)) this.rescheduleTimer();
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    this.observer.added(key);
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    this.observer.retried(key);
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    // Already due now: an immediate add beats any delay.
    if (this.dirty.has(key)) return;
    if (this.waiting.setEarliest(key, this.clock.now() + delayMs)) this.rescheduleTimer();
  }

  addRateLimited(key: string): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** Resolves with the next key to process, or `undefined` once the queue is shut down and empty. */
  get(): Promise<string | undefined> {
    const key = this.take();
    if (key !== undefined || this.shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: string): void {
    if (!this.processing.delete(key)) return;
    this.observer.finished(key);
    if (this.dirty.has(key)) this.enqueue(key);
    if (this.processing.size === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.waiting.clear();
    this.rescheduleTimer();
    for (const resolve of this.getters.splice(0)) resolve(undefined);
  }

  /** Shuts down, then resolves once every key being processed is done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private enqueue(key: string): void {
    const getter = this.getters.shift();
    if (getter) {
      this.start(key);
      getter(key);
      return;
    }
    this.queue.push(key);
  }

  private take(): string | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head];
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.start(key);
    return key;
  }

  private start(key: string): void {
    this.processing.add(key);
    this.dirty.delete(key);
    this.observer.started(key);
  }

  private rescheduleTimer(): void {
    const next = this.waiting.nextReadyAt();
    if (next === this.timerAt) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = next;
    if (next === undefined) return;
    this.cancelTimer = this.clock.setTimer(next - this.clock.now(), () => {
      this.cancelTimer = undefined;
      this.timerAt = undefined;
      for (const key of this.waiting.popReady(this.clock.now())) this.add(key);
      this.rescheduleTimer();
    });
  }
}
