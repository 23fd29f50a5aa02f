/**
 * GarbageCollectorReconciler: deletes the tokens (and v0.4-style service policies) this cluster
 * owns for a service once the service has had no running mesh task for the grace period.
 *
 * Invariants:
 * - Only objects whose description marks them as owned by exactly this cluster are candidates
 *   (the informers never hold anything else), and each token delete goes through
 *   AclWrites, which re-reads the token and deletes it only if the ownership rule says it
 *   is the service's own: another cluster's tokens, the client token and tokens we did not make
 *   are never touched, even when the cache is stale.
 * - The grace period starts when the controller first sees the service needing no token (no
 *   running mesh task and, with pre-provisioning, no ACTIVE mesh ECS service: deleted or INACTIVE)
 *   and restarts if it needs one again; a restart of the process restarts it too, which only
 *   ever delays a deletion. Grace 0 deletes at once, as consul-ecs did.
 * - A deletion also needs a full task list completed after the service was first seen gone: an
 *   event (lost, reordered, foreign) can start the grace period but never end it alone. When the
 *   grace period has passed without such a list, one is triggered and the deletion waits for it.
 * - With pre-provisioning, nothing is deleted before the ECS service informer has synced (it
 *   does not hold back the controllers' start, so the GC waits for it here), nor before a full
 *   service list completed after the service was first seen gone: the service list skips services
 *   that had running mesh tasks, so a service just scaled to 0 is only known ACTIVE after one.
 * - A service kept only by a cached ACTIVE ECS service (no running mesh task) is confirmed: when
 *   the ECS services are relisted less often than the tasks (events mode: hourly), a service
 *   deleted while at desired count 0 sends no event, so its token would outlive it until that
 *   relist. Its token's resync describes those ECS services (one DescribeServices per 10), at most
 *   once per task resync interval per service; a MISSING or INACTIVE answer takes it out of the
 *   cache and the service then goes through the grace period as any other.
 * - The service's secret is left as it is, so a returning service gets the same token IDs back.
 */
import { POLICIES_BY_SERVICE, TOKENS_BY_SERVICE } from '../adapters/acl-informers.js';
import { ACTIVE_SERVICES_BY_KEY } from '../adapters/mesh-indexes.js';
import { resolveService } from '../domain/resolved-service.js';
import { type Reconciler, type ReconcileResult } from '../../src/reconcile/reconciler.js';
import { type AclDeps } from '../adapters/acl-deps.js';
import { heldByEcsService, serviceNeedsToken, serviceRunsMeshTasks } from '../adapters/service-demand.js';
import { AclWrites } from '../adapters/acl-writes.js';

export const GARBAGE_COLLECTOR = 'garbage-collector';

/** How soon a deletion waiting for a confirming task list is looked at again. */
const CONFIRM_RECHECK_MS = 500;

export class GarbageCollectorReconciler implements Reconciler {
  /** When each service was first seen needing no token, and how many task and service lists had been done then. */
  private readonly absentSince = new Map<
    string,
    { readonly at: number; readonly lists: number; readonly serviceLists: number }
  >();

  private readonly writes: AclWrites;
  /** When each service kept only by the ECS service cache was last confirmed (described); only while it is. */
  private readonly serviceConfirmAskedAt = new Map<string, number>();

  constructor(private readonly deps: AclDeps) {
    this.writes = new AclWrites(deps);
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { tokens, policies, config, clock } = this.deps;
    const owned = tokens.store.byIndex(TOKENS_BY_SERVICE, key).filter((token) => token.kind === 'service');
    const ownedPolicies = policies.store.byIndex(POLICIES_BY_SERVICE, key);
    if (serviceNeedsToken(this.deps, key) || (owned.length === 0 && ownedPolicies.length === 0)) {
      this.absentSince.delete(key);
      if (owned.length > 0) await this.confirmIfKeptByEcsServiceOnly(key, signal);
      return;
    }
    const now = clock.now();
    const absent = this.absentSince.get(key) ?? {
      at: now,
      lists: this.deps.tasks.listCount,
      serviceLists: this.deps.services?.listCount ?? 0,
    };
    this.absentSince.set(key, absent);
    const since = absent.at;
    const remaining = config.gcGracePeriodMs - (now - since);
    if (remaining > 0) return { requeueAfterMs: remaining };
    if (this.deps.services !== undefined && !this.deps.services.hasSynced()) {
      // An ECS service at desired count 0 keeps its token (pre-provisioning): wait until we know.
      return { requeueAfterMs: CONFIRM_RECHECK_MS };
    }
    if (this.deps.tasks.listCount <= absent.lists) {
      // Only events say the service is gone so far: confirm it with a full list first.
      this.deps.tasks.trigger();
      return { requeueAfterMs: CONFIRM_RECHECK_MS };
    }
    if (this.deps.services !== undefined && this.deps.services.listCount <= absent.serviceLists) {
      // An ECS service scaled to 0 keeps its token: a service list since it went quiet says so.
      this.deps.services.trigger();
      return { requeueAfterMs: CONFIRM_RECHECK_MS };
    }

    // The GC's messages have always logged only {service, cluster}, partitioned or not.
    const { scope, nameContext: context } = resolveService(key, config);
    for (const token of owned) {
      const deleted = await this.writes.delete(
        { key, scope, context: { ...context, accessorId: token.accessorId }, signal },
        token.accessorId,
        'delete token of a service gone past the grace period',
      );
      if (deleted.kind !== 'done') continue;
      this.deps.metrics.tokensDeleted.inc({ controller: GARBAGE_COLLECTOR });
      this.deps.logger.info('deleted token of a service gone past the grace period', {
        ...context,
        accessorId: token.accessorId,
        absentForMs: now - since,
      });
    }
    for (const policy of ownedPolicies) {
      const deleted = await this.writes.write(
        'delete service policy of a service gone past the grace period',
        { ...context, policy: policy.name },
        () => this.deps.acl.deletePolicy(policy.id, scope, signal),
      );
      if (deleted.kind !== 'done') continue;
      this.deps.logger.info('deleted service policy of a service gone past the grace period', {
        ...context,
        policy: policy.name,
      });
    }
    this.absentSince.delete(key);
  }

  /**
   * Describes the ECS services that alone keep the token (a possibly stale cache entry), at most
   * once per task resync interval per service; a failed describe falls back to a service relist.
   */
  private async confirmIfKeptByEcsServiceOnly(key: string, signal: AbortSignal): Promise<void> {
    const { services, serviceRefresh, config, clock, logger } = this.deps;
    if (services === undefined || serviceRunsMeshTasks(this.deps, key) || !heldByEcsService(this.deps, key)) {
      this.serviceConfirmAskedAt.delete(key);
      return;
    }
    const serviceRelistMs = config.serviceResyncIntervalMs ?? config.resyncIntervalMs;
    if (serviceRelistMs <= config.resyncIntervalMs) return;
    const now = clock.now();
    const askedAt = this.serviceConfirmAskedAt.get(key);
    if (askedAt !== undefined && now - askedAt < config.resyncIntervalMs) return;
    this.serviceConfirmAskedAt.set(key, now);
    const arns = services.store.indexKeys(ACTIVE_SERVICES_BY_KEY, key);
    logger.debug('confirming the ECS services that alone keep a token', {
      service: key,
      services: arns.length,
    });
    if (serviceRefresh === undefined) {
      services.trigger();
      return;
    }
    try {
      await serviceRefresh.refresh(arns, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      logger.warn('could not describe the ECS services that alone keep a token; relisting services', {
        service: key,
        error,
      });
      services.trigger();
    }
  }
}
