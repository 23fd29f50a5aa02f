/**
 * LoginTokenGcController: the plugin that runs LoginTokenGcReconciler. Its key is an ECS task id;
 * it is enqueued by the task informer when a task is added (which clears its grace clock) or
 * deleted (which starts it), and by every event of a login token of ours, resyncs included (so a
 * token left by a task that stopped while the controller was down is found).
 *
 * Invariant: the watch mappings are pure; a running task's resync makes no key (it never makes
 * garbage).
 */
import { type Informer } from '../../src/cache/informer.js';
import { type InformerEvent } from '../../src/cache/events.js';
import { taskIdFromTaskArn } from '../../src/aws/arn.js';
import { type ListedTask } from '../../src/aws/ecs-task-facts.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type AnyWatch } from '../../src/reconcile/watch.js';
import { type LoginToken } from '../adapters/login-token-informer.js';
import {
  LOGIN_TOKEN_GC,
  type LoginTokenGcDeps,
  LoginTokenGcReconciler,
} from './login-token-gc-reconciler.js';

/** The task informer's index of tasks by task id (see `tasksByIdIndexer`). */
export const TASKS_BY_ID = 'byTaskId';

/** Indexes a task by its task id. */
export const tasksByIdIndexer = (task: ListedTask): readonly string[] => {
  const id = taskIdFromTaskArn(task.taskArn);
  return id === undefined ? [] : [id];
};

export interface LoginTokenGcOptions extends Omit<LoginTokenGcDeps, 'taskRunning' | 'loginTokens'> {
  /** The cluster's tasks (desired status RUNNING), indexed by TASKS_BY_ID. */
  readonly tasks: Informer<ListedTask>;
  readonly loginTokens: Informer<LoginToken>;
  /** Name prefix and leadership group: one plugin per cluster. */
  readonly name?: string;
  readonly group?: string;
}

export class LoginTokenGcController implements ControllerPlugin {
  readonly name: string;
  readonly group?: string;
  readonly reconciler: LoginTokenGcReconciler;
  /** The informers it watches, for the module to bind (the manager runs them). */
  readonly tasks: Informer<ListedTask>;
  readonly loginTokens: Informer<LoginToken>;

  constructor(private readonly options: LoginTokenGcOptions) {
    this.name = options.name ?? LOGIN_TOKEN_GC;
    this.group = options.group;
    const { tasks, loginTokens } = options;
    this.tasks = tasks;
    this.loginTokens = loginTokens;
    this.reconciler = new LoginTokenGcReconciler({
      ...options,
      taskRunning: (taskId) => tasks.store.indexKeys(TASKS_BY_ID, taskId).length > 0,
      loginTokens,
    });
  }

  watches(): readonly AnyWatch[] {
    return [
      {
        source: this.options.tasks.events$,
        toKeys: (event: InformerEvent<ListedTask>) =>
          event.type === 'resync' ? [] : tasksByIdIndexer(event.obj),
      },
      {
        source: this.options.loginTokens.events$,
        toKeys: (event: InformerEvent<LoginToken>) => [event.obj.taskId],
      },
    ];
  }
}
