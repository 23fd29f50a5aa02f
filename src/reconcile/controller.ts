/**
 * Controller: feeds keys from its watches into a rate-limited work queue, and runs up to N
 * workers that reconcile them (controller-runtime's `reconcileHandler`).
 *
 * Invariants:
 * - No key is reconciled by two workers at once (the queue guarantees it).
 * - After each reconcile the key is always marked done, and exactly one of these happens:
 *   success → forget (backoff reset); `requeueAfterMs` → forget, then add after that delay;
 *   error → add rate-limited (backoff grows, no forget); terminal error → dropped, counted.
 * - `stop()` stops taking events, lets in-flight reconciles finish, and resolves once every worker
 *   has exited. Past the graceful timeout it aborts the reconciles' signal, and still waits.
 * - `start()` enqueues `initialKeys()` first, then subscribes to the watches: the initial keys
 *   are queued before any event's keys, once per start.
 * - A failing reconcile, key mapper or `initialKeys` never stops the controller.
 */
import { type Subscription } from 'rxjs';

import { type InformerEvent } from '../cache/events.js';
import { type Logger } from '../log/logger.js';
import { type ControllerMetricsHandle, type ReconcileOutcome } from '../metrics/controller-metrics.js';
import { isTerminalError, type Reconciler } from './reconciler.js';
import { type Clock } from '../time/clock.js';
import { type QueueObserver } from '../workqueue/queue-observer.js';
import { WorkQueue } from '../workqueue/queue.js';
import { type RateLimiter } from '../workqueue/rate-limiters.js';
import { type AnyWatch } from './watch.js';

export interface ControllerOptions {
  /** Unique among the manager's controllers: it labels metrics and logs. */
  readonly name: string;
  readonly reconciler: Reconciler;
  readonly watches: readonly AnyWatch[];
  /** Keys to enqueue when the controller starts, whatever the watches say. */
  readonly initialKeys?: () => readonly string[];
  readonly maxConcurrentReconciles?: number;
  readonly rateLimiter?: RateLimiter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: ControllerMetricsHandle;
  readonly queueObserver?: QueueObserver;
}

const NO_METRICS: ControllerMetricsHandle = {
  reconciled: () => undefined,
  failed: () => undefined,
  panicked: () => undefined,
  workerStarted: () => undefined,
  workerFinished: () => undefined,
};

const PROGRAMMING_ERRORS = [TypeError, ReferenceError, RangeError, SyntaxError];

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly maxConcurrentReconciles: number;
  private readonly logger: Logger;
  private readonly metrics: ControllerMetricsHandle;
  private readonly abort = new AbortController();
  private subscriptions: Subscription[] = [];
  private workers: Promise<void>[] = [];
  private started = false;

  constructor(private readonly options: ControllerOptions) {
    this.name = options.name;
    this.maxConcurrentReconciles = Math.max(1, options.maxConcurrentReconciles ?? 1);
    this.logger = options.logger.child({ controller: options.name });
    this.metrics = options.metrics ?? NO_METRICS;
    this.queue = new WorkQueue({
      name: options.name,
      clock: options.clock,
      rateLimiter: options.rateLimiter,
      observer: options.queueObserver,
    });
  }

  get isRunning(): boolean {
    return this.started && !this.queue.isShuttingDown;
  }

  /** Subscribes to the watches and starts the workers; returns at once. */
  start(): void {
    if (this.started) throw new Error(`controller ${this.name} was already started`);
    this.started = true;
    try {
      for (const key of this.options.initialKeys?.() ?? []) this.queue.add(key);
    } catch (error) {
      this.logger.error('listing the initial keys failed', { error });
    }
    for (const watch of this.options.watches) {
      this.subscriptions.push(
        watch.source.subscribe((event: InformerEvent<unknown>) => {
          try {
            for (const key of watch.toKeys(event)) this.queue.add(key);
          } catch (error) {
            this.logger.error('mapping an event to keys failed', {
              event: event.type,
              key: event.key,
              error,
            });
          }
        }),
      );
    }
    this.workers = Array.from({ length: this.maxConcurrentReconciles }, () => this.work());
    this.logger.info('controller started', { workers: this.maxConcurrentReconciles });
  }

  /**
   * Stops taking work and waits for in-flight reconciles. After `gracefulTimeoutMs` their abort
   * signal fires. Resolves true if everything finished within the timeout.
   */
  async stop(gracefulTimeoutMs = 30_000): Promise<boolean> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    let timedOut = false;
    const cancelTimer = this.options.clock.setTimer(gracefulTimeoutMs, () => {
      timedOut = true;
      this.abort.abort(new Error(`controller ${this.name} stopped`));
    });
    await this.queue.shutDownWithDrain();
    await Promise.all(this.workers);
    cancelTimer();
    this.logger.info('controller stopped', { timedOut });
    return !timedOut;
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      this.metrics.workerStarted();
      try {
        await this.reconcileOne(key);
      } finally {
        this.queue.done(key);
        this.metrics.workerFinished();
      }
    }
  }

  private async reconcileOne(key: string): Promise<void> {
    const { clock, reconciler } = this.options;
    const startedAt = clock.now();
    let outcome: ReconcileOutcome;
    try {
      const result = await reconciler.reconcile(key, this.abort.signal);
      this.queue.forget(key);
      const requeueAfterMs = result?.requeueAfterMs ?? 0;
      if (requeueAfterMs > 0) {
        this.queue.addAfter(key, requeueAfterMs);
        outcome = 'requeue_after';
      } else {
        outcome = 'success';
      }
    } catch (error) {
      outcome = 'error';
      const terminal = isTerminalError(error);
      this.metrics.failed(terminal);
      if (PROGRAMMING_ERRORS.some((type) => error instanceof type)) this.metrics.panicked();
      if (terminal) {
        this.logger.error('reconcile failed for good; not retrying', { key, error });
      } else {
        this.queue.addRateLimited(key);
        this.logger.warn('reconcile failed; will retry', {
          key,
          error,
          attempt: this.queue.numRequeues(key),
        });
      }
    }
    this.metrics.reconciled(outcome, (clock.now() - startedAt) / 1000);
  }
}
