/**
 * The mesh service informer (pre-provisioning): the generic ECS service informer, with each
 * service projected into a MeshService and indexed by the service key of ACTIVE mesh services.
 *
 * Invariant: only an ACTIVE mesh service with a `service` (no `problem`, not of a foreign
 * partition) is in the ACTIVE_SERVICES_BY_KEY index; DRAINING and INACTIVE ones stay cached, so
 * the garbage collector sees them go.
 */
import { type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../../src/cache/informer-observer.js';
import { type Informer } from '../../src/cache/informer.js';
import { type EcsServiceFacts } from '../../src/aws/ecs-service-facts.js';
import { type EcsServiceLister } from '../../src/aws/ecs-service-lister.js';
import { createEcsServiceInformer } from '../../src/aws/ecs-service-informer.js';
import { type MeshService, toMeshService } from '../domain/mesh-service.js';
import { servedServiceKeys } from '../domain/mesh-identity.js';
import { ACTIVE_SERVICES_BY_KEY } from './mesh-indexes.js';

/** The lister's projection: a service's mesh identity under the served partition settings. */
export function meshServiceProjection(
  partitionsEnabled: boolean,
  servedPartition: string | undefined,
): (facts: EcsServiceFacts) => MeshService {
  return (facts) => toMeshService(facts, partitionsEnabled, servedPartition);
}

export interface MeshServiceInformerOptions {
  readonly name: string;
  readonly group: string;
  readonly lister: Pick<EcsServiceLister<MeshService>, 'list'>;
  readonly resyncPeriodMs: number;
  readonly scheduler: SchedulerLike;
  readonly observer?: InformerObserver;
}

export function createMeshServiceInformer(options: MeshServiceInformerOptions): Informer<MeshService> {
  return createEcsServiceInformer<MeshService>({
    ...options,
    indexers: {
      [ACTIVE_SERVICES_BY_KEY]: (service) => (service.status === 'ACTIVE' ? servedServiceKeys(service) : []),
    },
  });
}
