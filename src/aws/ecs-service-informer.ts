/**
 * The ECS service informer: the cluster's services, keyed by service ARN, as the lister projects
 * them. It relists on every resync and on `trigger()`; its users add their own indexes.
 *
 * Invariant: it does not gate its group's start (a service list describes every task definition,
 * which can take long); a user that acts on a service's absence checks `hasSynced()` first.
 */
import { type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../cache/informer-observer.js';
import { Informer } from '../cache/informer.js';
import { type IndexFunc } from '../cache/store.js';
import { fromAbortable } from '../rx/from-abortable.js';
import { type EcsServiceFacts, ecsServiceVersion, type ListedService } from './ecs-service-facts.js';
import { type EcsServiceLister } from './ecs-service-lister.js';

export interface EcsServiceInformerOptions<T extends ListedService> {
  /** Default `ecs-services`. */
  readonly name?: string;
  readonly lister: Pick<EcsServiceLister<T>, 'list'>;
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  readonly resyncPeriodMs: number;
  readonly scheduler: SchedulerLike;
  readonly observer?: InformerObserver;
  /** The manager's controller group that waits for it (see Informer). */
  readonly group?: string;
}

export function createEcsServiceInformer<T extends ListedService = EcsServiceFacts>(
  options: EcsServiceInformerOptions<T>,
): Informer<T> {
  return new Informer<T>({
    name: options.name ?? 'ecs-services',
    group: options.group,
    list: () => fromAbortable((signal) => options.lister.list(signal)),
    keyOf: (service) => service.serviceArn,
    versionOf: ecsServiceVersion,
    indexers: options.indexers,
    resyncPeriodMs: options.resyncPeriodMs,
    scheduler: options.scheduler,
    observer: options.observer,
    gatesStart: false,
  });
}
