/**
 * taskCensusModule: binds the example's informer and controller plugin. The task list function is
 * a parameter, so the same module runs on an in-process source (demo, tests) or on ECS.
 */
import { ContainerModule } from 'inversify';
import { type Observable, type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../../src/cache/informer-observer.js';
import { Informer, type ListResult } from '../../src/cache/informer.js';
import { TYPES } from '../../src/di/types.js';
import { CensusBoard } from './census-board.js';
import { TaskCensusController } from './census-controller.js';
import { BY_FAMILY, type ExampleTask, TASK_INFORMER } from './task.js';

export interface TaskCensusSettings {
  readonly listTasks: () => Observable<ListResult<ExampleTask>>;
  readonly pollPeriodMs: number;
  readonly resyncPeriodMs?: number;
}

export function taskCensusModule(settings: TaskCensusSettings): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TASK_INFORMER).toDynamicValue(
      (ctx) =>
        new Informer<ExampleTask>({
          name: 'example-tasks',
          list: settings.listTasks,
          keyOf: (task) => task.taskArn,
          versionOf: (task) => String(task.version),
          indexers: { [BY_FAMILY]: (task) => [task.family] },
          pollPeriodMs: settings.pollPeriodMs,
          resyncPeriodMs: settings.resyncPeriodMs,
          scheduler: ctx.get<SchedulerLike>(TYPES.Scheduler),
          observer: ctx.get<InformerObserver>(TYPES.InformerObserver),
        }),
    );
    bind(TYPES.Informer).toService(TASK_INFORMER);
    bind(CensusBoard).toSelf();
    bind(TYPES.ControllerPlugin).to(TaskCensusController);
  });
}
