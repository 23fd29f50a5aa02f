/**
 * taskCensusModule: binds the example's informer and controller plugin. The informer is the
 * framework's generic ECS task informer; its tasks come from an ECS endpoint (any: AWS, envtest,
 * moto) through the generic task lister, or, for tests, from any object with the lister's `list`.
 */
import { type ECSClient } from '@aws-sdk/client-ecs';
import { ContainerModule } from 'inversify';
import { type SchedulerLike } from 'rxjs';

import { createEcsTaskInformer } from '../../src/aws/ecs-task-informer.js';
import { EcsTaskLister } from '../../src/aws/ecs-task-lister.js';
import { type InformerObserver } from '../../src/cache/informer-observer.js';
import { TYPES } from '../../src/di/types.js';
import { type ApiMetrics } from '../../src/metrics/api-metrics.js';
import { type Clock } from '../../src/time/clock.js';
import { CensusBoard } from './census-board.js';
import { TaskCensusController } from './census-controller.js';
import { BY_FAMILY, type ExampleTask, TASK_INFORMER, toExampleTask } from './task.js';

/** An ECS cluster to list tasks from. */
export interface EcsTaskSource {
  readonly ecs: ECSClient;
  readonly cluster: string;
}

/** Anything that lists tasks as the generic lister does (an in-process source, in tests). */
export type TaskSource = Pick<EcsTaskLister<ExampleTask>, 'list'>;

export interface TaskCensusSettings {
  readonly tasks: EcsTaskSource | TaskSource;
  readonly pollPeriodMs: number;
  readonly resyncPeriodMs?: number;
}

export function taskCensusModule(settings: TaskCensusSettings): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TASK_INFORMER).toDynamicValue((ctx) => {
      const source = settings.tasks;
      const lister =
        'ecs' in source
          ? new EcsTaskLister({
              ecs: source.ecs,
              cluster: source.cluster,
              clock: ctx.get<Clock>(TYPES.Clock),
              observer: ctx.get<ApiMetrics>(TYPES.ApiMetrics),
              project: toExampleTask,
            })
          : source;
      return createEcsTaskInformer<ExampleTask>({
        name: 'example-tasks',
        lister,
        indexers: { [BY_FAMILY]: (task) => [task.family] },
        pollPeriodMs: settings.pollPeriodMs,
        resyncPeriodMs: settings.resyncPeriodMs,
        scheduler: ctx.get<SchedulerLike>(TYPES.Scheduler),
        observer: ctx.get<InformerObserver>(TYPES.InformerObserver),
      });
    });
    bind(TYPES.Informer).toService(TASK_INFORMER);
    bind(CensusBoard).toSelf();
    bind(TYPES.ControllerPlugin).to(TaskCensusController);
  });
}
