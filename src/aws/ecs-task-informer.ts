/**
 * The ECS task informer: the running tasks of one cluster, keyed by task ARN, as the lister
 * projects them. ECS has no watch, so it relists on every resync, every poll period if one is
 * given, and on `trigger()`; listing is cheap because tasks are described only once (see
 * EcsTaskLister). Its users add their own indexes.
 *
 * Invariant: a task's version is ECS's version counter, which only grows, so events (at least
 * once, unordered) never move a cached task backwards.
 */
import { type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../cache/informer-observer.js';
import { Informer } from '../cache/informer.js';
import { type IndexFunc } from '../cache/store.js';
import { fromAbortable } from '../rx/from-abortable.js';
import { type EcsTaskFacts, type ListedTask } from './ecs-task-facts.js';
import { type EcsTaskLister } from './ecs-task-lister.js';

export interface EcsTaskInformerOptions<T extends ListedTask> {
  /** Default `ecs-tasks`. */
  readonly name?: string;
  readonly lister: Pick<EcsTaskLister<T>, 'list'>;
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  readonly resyncPeriodMs?: number;
  /** Relist this often besides resyncs (a plain poll, for users with no event source). */
  readonly pollPeriodMs?: number;
  readonly scheduler: SchedulerLike;
  readonly observer?: InformerObserver;
  /** The manager's controller group that waits for it (see Informer). */
  readonly group?: string;
}

export function createEcsTaskInformer<T extends ListedTask = EcsTaskFacts>(
  options: EcsTaskInformerOptions<T>,
): Informer<T> {
  return new Informer<T>({
    name: options.name ?? 'ecs-tasks',
    group: options.group,
    list: () => fromAbortable((signal) => options.lister.list(signal)),
    keyOf: (task) => task.taskArn,
    versionOf: (task) => String(task.version),
    isNewer: (incoming, current) => Number(incoming) > Number(current),
    indexers: options.indexers,
    resyncPeriodMs: options.resyncPeriodMs,
    pollPeriodMs: options.pollPeriodMs,
    scheduler: options.scheduler,
    observer: options.observer,
  });
}
