/**
 * ServiceTokenController: the plugin that runs ServiceTokenReconciler. Its key is the service
 * key; it is enqueued by every event of a mesh task of the service, of a mesh ECS service under
 * that name (pre-provisioning), and of a token owned for it.
 *
 * Invariants:
 * - The watch mappings (`toKeys`) are pure: an event gives its keys and nothing else happens.
 * - A task's `resync` gives its service's key only while no owned token of the service is cached
 *   (a service with one is revisited by that token's resync): a service is revisited once per
 *   resync, not once per task plus once per token.
 * - Tasks and ECS services whose tags are unusable (error log and metric), or of another admin
 *   partition (debug log, as consul-ecs v0.4.3, and
 *   `acl_controller_skipped_total{reason="foreign_partition"}`), are reported once each by
 *   UnservedMeshObjects on the watched streams; they never make a key.
 * - An `added` mesh task, or an `added` ACTIVE mesh ECS service, marks its key as needing a token
 *   (`noteNeeded`, for the time-to-token histogram) as the watch sees it, before it is enqueued.
 */
import { type Observable, tap } from 'rxjs';

import { type InformerEvent } from '../../src/cache/events.js';
import { type AnyWatch, type Watch } from '../../src/reconcile/watch.js';
import { TOKENS_BY_SERVICE } from '../adapters/acl-informers.js';
import { type OwnedToken } from '../adapters/owned-acl.js';
import { UnservedMeshObjects } from '../adapters/unserved-mesh-objects.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type MeshService } from '../domain/mesh-service.js';
import { type MeshTask } from '../domain/mesh-task.js';
import { servedServiceKeys } from '../domain/mesh-identity.js';
import { type AclDeps } from '../adapters/acl-deps.js';
import { SERVICE_TOKEN_CONTROLLER, ServiceTokenReconciler } from './service-token-reconciler.js';

export class ServiceTokenController implements ControllerPlugin {
  readonly name: string;
  readonly group: string;
  readonly reconciler: ServiceTokenReconciler;
  readonly maxConcurrentReconciles: number;
  private readonly unserved: UnservedMeshObjects;

  constructor(private readonly deps: AclDeps) {
    this.name = deps.scopedName(SERVICE_TOKEN_CONTROLLER);
    this.group = deps.config.cluster;
    this.reconciler = new ServiceTokenReconciler(deps);
    this.maxConcurrentReconciles = deps.config.concurrency;
    this.unserved = new UnservedMeshObjects(deps);
  }

  watches(): readonly AnyWatch[] {
    const { tasks, services, tokens } = this.deps;
    const taskWatch: Watch<MeshTask> = {
      source: tasks.events$.pipe(
        this.unserved.tasks(),
        this.noteNeeded((event) => event.type === 'added'),
      ),
      // A task's resync revisits its service only while no owned token of the service is cached:
      // the token informer's resync (same period) revisits the others, so a resync at 10,000
      // tasks does not enqueue their 2,000 services a second time.
      toKeys: (event) => {
        const keys = servedServiceKeys(event.obj);
        return event.type === 'resync'
          ? keys.filter((key) => tokens.store.indexKeys(TOKENS_BY_SERVICE, key).length === 0)
          : keys;
      },
    };
    const serviceWatch = (events$: Observable<InformerEvent<MeshService>>): Watch<MeshService> => ({
      source: events$.pipe(
        this.unserved.services(),
        this.noteNeeded((event) => event.type === 'added' && event.obj.status === 'ACTIVE'),
      ),
      toKeys: (event) => servedServiceKeys(event.obj),
    });
    const tokenWatch: Watch<OwnedToken> = {
      source: tokens.events$,
      toKeys: (event) => (event.obj.serviceKey ? [event.obj.serviceKey] : []),
    };
    return [taskWatch, ...(services ? [serviceWatch(services.events$)] : []), tokenWatch];
  }

  /** Passes events on unchanged, marking the key of each `needs` one as needing a token. */
  private noteNeeded<T extends MeshTask | MeshService>(needs: (event: InformerEvent<T>) => boolean) {
    return tap((event: InformerEvent<T>) => {
      if (!needs(event)) return;
      for (const key of servedServiceKeys(event.obj)) this.reconciler.noteNeeded(key);
    });
  }
}
