/**
 * GoneTaskReconciler: removes what a stopped ECS task left behind in Consul (its login tokens, its
 * catalog services), one task id at a time. consul-ecs v0.7+'s `controller` does this by relisting
 * everything every 10 s; here each kind of leftover is its own plugin on this reconciler.
 *
 * Invariants:
 * - The key is an ECS task id. Its leftovers are kept while a task with that id is cached as
 *   running (desired status RUNNING: provisioning, pending, running) and for `gracePeriodMs` after
 *   it was first seen gone, so a task that is still draining keeps them (ECS stops a task within
 *   its stop timeout, at most 120 s; the default grace is 2 min). consul-ecs removes them at once.
 * - The grace clock restarts when the task comes back, and is forgotten once nothing is left.
 * - A task's absence is acted on only once a full task list completed after it was first seen
 *   gone (else one is triggered and the key rechecked): events alone (a forged or misordered stop
 *   event on the queue) never remove a running task's leftovers. With a grace period longer than
 *   the resync interval the periodic lists confirm it, at no extra call.
 * - Every removal goes through `remove`, the kind's one guarded write path, which re-reads the
 *   object and refuses one that is no longer this task's.
 * - A failed removal fails the reconcile, so it is retried with backoff (never dropped; the grace
 *   clock is kept, so the retry removes at once); refusals are counted and logged, not retried.
 */
import { type LogFields, type Logger } from '../../src/log/logger.js';
import { type ReconcileResult, type Reconciler } from '../../src/reconcile/reconciler.js';
import { type Clock } from '../../src/time/clock.js';
import { type RemovalOutcome } from '../domain/removal-outcome.js';

/** The task informer's full lists: how many completed, and how to ask for one more. */
export interface TaskLists {
  readonly listCount: number;
  trigger(): void;
}

/** How soon a removal waiting for a confirming task list is looked at again. */
const CONFIRM_RECHECK_MS = 500;

export interface GoneTaskDeps<T> {
  /** What is removed, for log lines: `login token`, `catalog service`. */
  readonly what: string;
  /** Whether a task with this id is cached as running. */
  readonly taskRunning: (taskId: string) => boolean;
  /** The task informer's lists, which confirm an absence before anything is removed. */
  readonly taskLists: TaskLists;
  /** The cached leftovers of a task id. */
  readonly leftovers: (taskId: string) => readonly T[];
  /** Removes one leftover if it is still this task's (the guarded write path). */
  readonly remove: (item: T, taskId: string, signal: AbortSignal) => Promise<RemovalOutcome>;
  /** Log fields that name a leftover (never a secret). */
  readonly describe: (item: T) => LogFields;
  readonly clock: Clock;
  readonly gracePeriodMs: number;
  readonly logger: Logger;
  /** Counts each removal's outcome. */
  readonly count: (outcome: RemovalOutcome) => void;
}

export class GoneTaskReconciler<T> implements Reconciler {
  /** When each task id was first seen gone, and how many task lists had completed then. */
  private readonly goneSince = new Map<string, { readonly at: number; readonly lists: number }>();

  constructor(private readonly deps: GoneTaskDeps<T>) {}

  async reconcile(taskId: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { taskRunning, taskLists, leftovers, clock, gracePeriodMs, remove, describe, what, logger, count } =
      this.deps;
    const items = leftovers(taskId);
    if (taskRunning(taskId) || items.length === 0) {
      this.goneSince.delete(taskId);
      return;
    }
    const gone = this.goneSince.get(taskId) ?? { at: clock.now(), lists: taskLists.listCount };
    this.goneSince.set(taskId, gone);
    const waited = clock.now() - gone.at;
    if (waited < gracePeriodMs) return { requeueAfterMs: gracePeriodMs - waited };
    if (taskLists.listCount <= gone.lists) {
      taskLists.trigger();
      return { requeueAfterMs: CONFIRM_RECHECK_MS };
    }
    for (const item of items) {
      const outcome = await remove(item, taskId, signal);
      count(outcome);
      const fields = { taskId, ...describe(item) };
      if (outcome === 'deleted') logger.info(`removed the ${what} of a stopped task`, fields);
      if (outcome === 'refused')
        logger.warn(`not removing a ${what} that changed: it is no longer this task's`, fields);
    }
    this.goneSince.delete(taskId);
  }
}
