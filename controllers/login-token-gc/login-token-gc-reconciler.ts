/**
 * LoginTokenGcReconciler: deletes the login tokens of tasks of our cluster that are gone (consul-ecs
 * v0.7+'s `controller` does this every 10 s; here it is one reconcile per task id, on events).
 *
 * Invariants:
 * - The key is an ECS task id. Its tokens are kept while a task with that id is in the task cache
 *   (desired status RUNNING: provisioning, pending, running) and for `gracePeriodMs` after it was
 *   first seen gone, so a task that is still draining keeps its token (ECS stops a task within its
 *   stop timeout, at most 120 s; the default grace is 2 min). consul-ecs deletes them at once.
 * - The grace clock restarts when the task comes back, and is forgotten when nothing is left.
 * - Every delete goes through LoginTokenWrites, which re-reads the token and refuses one that is
 *   no longer the login token of this task in our cluster.
 * - A failed delete fails the reconcile, which is retried with backoff (never dropped); refusals
 *   are counted and logged, not retried.
 */
import { type Store } from '../../src/cache/store.js';
import { type ReconcileResult, type Reconciler } from '../../src/reconcile/reconciler.js';
import { type Logger } from '../../src/log/logger.js';
import { type Clock } from '../../src/time/clock.js';
import { LOGIN_TOKENS_BY_TASK, type LoginToken } from '../adapters/login-token-informer.js';
import { type LoginTokenDeleteOutcome, type LoginTokenWrites } from '../adapters/login-token-writes.js';

export const LOGIN_TOKEN_GC = 'login-token-gc';

export interface LoginTokenGcDeps {
  /** Whether a task with this id is cached as running (desired status RUNNING). */
  readonly taskRunning: (taskId: string) => boolean;
  readonly loginTokens: { readonly store: Store<LoginToken> };
  readonly writes: Pick<LoginTokenWrites, 'delete'>;
  readonly clock: Clock;
  readonly gracePeriodMs: number;
  readonly logger: Logger;
  /** Counts each delete attempt's outcome. */
  readonly count: (outcome: LoginTokenDeleteOutcome) => void;
}

export class LoginTokenGcReconciler implements Reconciler {
  private readonly goneSince = new Map<string, number>();

  constructor(private readonly deps: LoginTokenGcDeps) {}

  async reconcile(taskId: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { taskRunning, loginTokens, clock, gracePeriodMs, writes, logger, count } = this.deps;
    const tokens = loginTokens.store.byIndex(LOGIN_TOKENS_BY_TASK, taskId);
    if (taskRunning(taskId) || tokens.length === 0) {
      this.goneSince.delete(taskId);
      return;
    }
    const since = this.goneSince.get(taskId) ?? clock.now();
    this.goneSince.set(taskId, since);
    const waited = clock.now() - since;
    if (waited < gracePeriodMs) return { requeueAfterMs: gracePeriodMs - waited };
    for (const token of tokens) {
      const outcome = await writes.delete(token, taskId, signal);
      count(outcome);
      const fields = { taskId, accessorId: token.accessorId, cluster: token.cluster };
      if (outcome === 'deleted') logger.info('deleted the login token of a stopped task', fields);
      if (outcome === 'refused')
        logger.warn("not deleting a token that changed: it is no longer this task's login token", fields);
    }
    this.goneSince.delete(taskId);
  }
}
