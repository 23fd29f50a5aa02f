/**
 * The ECS service informer: the cluster's services, indexed by the service key of ACTIVE mesh
 * services. It relists on every resync and on `trigger()`. It does not gate its group's start:
 * services whose tasks are listed need no service lookup, so the task-driven controllers start
 * without it; a user that acts on a service's absence checks `hasSynced()` first.
 */
import { type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../cache/informer-observer.js';
import { Informer } from '../cache/informer.js';
import { type MeshService, meshServiceVersion } from '../../controllers/domain/mesh-service.js';
import { serviceKey } from '../../controllers/domain/service-ref.js';
import { fromAbortable } from '../rx/from-abortable.js';
import { type EcsServiceLister } from './ecs-service-lister.js';

/** Index of ACTIVE mesh services by service key. */
export const ACTIVE_SERVICES_BY_KEY = 'activeByService';

export interface EcsServiceInformerOptions {
  /** Default `ecs-services`. */
  readonly name?: string;
  readonly lister: Pick<EcsServiceLister, 'list'>;
  readonly resyncPeriodMs: number;
  readonly scheduler: SchedulerLike;
  readonly observer?: InformerObserver;
  /** The manager's controller group that waits for it (see Informer). */
  readonly group?: string;
}

export function createEcsServiceInformer(options: EcsServiceInformerOptions): Informer<MeshService> {
  return new Informer<MeshService>({
    name: options.name ?? 'ecs-services',
    group: options.group,
    list: () => fromAbortable((signal) => options.lister.list(signal)),
    keyOf: (service) => service.serviceArn,
    versionOf: meshServiceVersion,
    indexers: {
      [ACTIVE_SERVICES_BY_KEY]: (service) =>
        service.mesh && service.service && service.status === 'ACTIVE' ? [serviceKey(service.service)] : [],
    },
    resyncPeriodMs: options.resyncPeriodMs,
    scheduler: options.scheduler,
    observer: options.observer,
    gatesStart: false,
  });
}
