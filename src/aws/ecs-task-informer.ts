/**
 * The ECS task informer: running tasks of one cluster, indexed by the service key of mesh tasks.
 * ECS has no watch, so it relists on every resync and on `trigger()`; listing is cheap because
 * tasks are described only once (see EcsTaskLister).
 */
import { type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../cache/informer-observer.js';
import { Informer } from '../cache/informer.js';
import { type MeshTask } from '../../controllers/domain/mesh-task.js';
import { serviceKey } from '../../controllers/domain/service-ref.js';
import { fromAbortable } from '../rx/from-abortable.js';
import { type EcsTaskLister } from './ecs-task-lister.js';

/** Index of mesh tasks by service key. */
export const TASKS_BY_SERVICE = 'byService';

export interface EcsTaskInformerOptions {
  readonly name?: string;
  readonly lister: EcsTaskLister;
  readonly resyncPeriodMs: number;
  readonly scheduler: SchedulerLike;
  readonly observer?: InformerObserver;
  /** The manager's controller group that waits for it (see Informer). */
  readonly group?: string;
}

export function createEcsTaskInformer(options: EcsTaskInformerOptions): Informer<MeshTask> {
  return new Informer<MeshTask>({
    name: options.name ?? 'ecs-tasks',
    group: options.group,
    list: () => fromAbortable((signal) => options.lister.list(signal)),
    keyOf: (task) => task.taskArn,
    versionOf: (task) => String(task.version),
    // ECS task versions only grow, so events (at least once, unordered) can be ordered by them.
    isNewer: (incoming, current) => Number(incoming) > Number(current),
    indexers: { [TASKS_BY_SERVICE]: (task) => (task.mesh && task.service ? [serviceKey(task.service)] : []) },
    resyncPeriodMs: options.resyncPeriodMs,
    scheduler: options.scheduler,
    observer: options.observer,
  });
}
