/**
 * The mesh task informer: the generic ECS task informer, with each task projected once into a
 * MeshTask (its mesh identity under this cluster's partition settings) and indexed by the service
 * key of usable mesh tasks.
 *
 * Invariant: only a mesh task with a `service` (no `problem`, not of a foreign partition) is in
 * the TASKS_BY_SERVICE index, so only those make a service need a token; the same tasks are in
 * TASKS_BY_ECS_SERVICE under the ECS service that started them.
 */
import { type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../../src/cache/informer-observer.js';
import { type Informer } from '../../src/cache/informer.js';
import { type EcsTaskFacts } from '../../src/aws/ecs-task-facts.js';
import { type EcsTaskLister } from '../../src/aws/ecs-task-lister.js';
import { createEcsTaskInformer } from '../../src/aws/ecs-task-informer.js';
import { type MeshTask, sharedTaskValues, toMeshTask } from '../domain/mesh-task.js';
import { servedServiceKeys } from '../domain/mesh-identity.js';
import { TASKS_BY_ECS_SERVICE, TASKS_BY_SERVICE } from './mesh-indexes.js';

/** The lister's projection: a task's mesh identity under the served partition settings. */
export function meshTaskProjection(
  partitionsEnabled: boolean,
  servedPartition: string | undefined,
): (facts: EcsTaskFacts) => MeshTask {
  const shared = sharedTaskValues();
  return (facts) => toMeshTask(facts, partitionsEnabled, servedPartition, shared);
}

export interface MeshTaskInformerOptions {
  readonly name: string;
  readonly group: string;
  readonly lister: EcsTaskLister<MeshTask>;
  readonly resyncPeriodMs: number;
  readonly scheduler: SchedulerLike;
  readonly observer?: InformerObserver;
}

export function createMeshTaskInformer(options: MeshTaskInformerOptions): Informer<MeshTask> {
  return createEcsTaskInformer<MeshTask>({
    ...options,
    indexers: {
      [TASKS_BY_SERVICE]: servedServiceKeys,
      [TASKS_BY_ECS_SERVICE]: (task) =>
        task.ecsService !== undefined && servedServiceKeys(task).length > 0 ? [task.ecsService] : [],
    },
  });
}
