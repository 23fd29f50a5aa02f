/**
 * GoneTaskController: the plugin shape shared by the cleanups of stopped tasks' leftovers. Its key
 * is an ECS task id; it is enqueued by the task informer when a task is added (which clears its
 * grace clock) or deleted (which starts it), and by every event of a cached leftover, resyncs
 * included (so a leftover of a task that stopped while the controller was down is found).
 *
 * Invariant: the watch mappings are pure; a running task's resync makes no key (it never makes
 * garbage).
 */
import { type InformerEvent } from '../../src/cache/events.js';
import { type Informer } from '../../src/cache/informer.js';
import { taskIdFromTaskArn } from '../../src/aws/arn.js';
import { type ListedTask } from '../../src/aws/ecs-task-facts.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type AnyWatch } from '../../src/reconcile/watch.js';
import { type GoneTaskReconciler } from './gone-task-reconciler.js';

/** The task informer's index of tasks by task id (see `tasksByIdIndexer`). */
export const TASKS_BY_ID = 'byTaskId';

/** Indexes a task by its task id. */
export const tasksByIdIndexer = (task: ListedTask): readonly string[] => {
  const id = taskIdFromTaskArn(task.taskArn);
  return id === undefined ? [] : [id];
};

/** Whether `tasks` (indexed by TASKS_BY_ID) holds a task with this id. */
export const taskRunningIn =
  (tasks: Pick<Informer<ListedTask>, 'store'>) =>
  (taskId: string): boolean =>
    tasks.store.indexKeys(TASKS_BY_ID, taskId).length > 0;

export interface GoneTaskControllerOptions<T> {
  readonly name: string;
  readonly group?: string;
  /** The cluster's tasks (desired status RUNNING), indexed by TASKS_BY_ID. */
  readonly tasks: Informer<ListedTask>;
  /** The cached leftovers, and the task id each one belongs to. */
  readonly leftovers: Informer<T>;
  readonly taskIdOf: (item: T) => string;
  readonly reconciler: GoneTaskReconciler<T>;
}

export class GoneTaskController<T> implements ControllerPlugin {
  readonly name: string;
  readonly group?: string;
  readonly reconciler: GoneTaskReconciler<T>;
  /** The informers it watches, for the module to bind (the manager runs them). */
  readonly tasks: Informer<ListedTask>;
  readonly leftovers: Informer<T>;

  constructor(private readonly options: GoneTaskControllerOptions<T>) {
    this.name = options.name;
    this.group = options.group;
    this.reconciler = options.reconciler;
    this.tasks = options.tasks;
    this.leftovers = options.leftovers;
  }

  watches(): readonly AnyWatch[] {
    const { taskIdOf } = this.options;
    return [
      {
        source: this.tasks.events$,
        toKeys: (event: InformerEvent<ListedTask>) =>
          event.type === 'resync' ? [] : tasksByIdIndexer(event.obj),
      },
      { source: this.leftovers.events$, toKeys: (event: InformerEvent<T>) => [taskIdOf(event.obj)] },
    ];
  }
}
