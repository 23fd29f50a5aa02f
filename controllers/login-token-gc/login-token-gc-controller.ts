/**
 * LoginTokenGcController: the `login-token-gc` plugin: the GoneTaskController for the login
 * tokens of our cluster's tasks (see LoginTokenGcReconciler).
 */
import { type Informer } from '../../src/cache/informer.js';
import { type ListedTask } from '../../src/aws/ecs-task-facts.js';
import { type LoginToken } from '../adapters/login-token-informer.js';
import { GoneTaskController, taskRunningIn } from '../task-cleanup/gone-task-controller.js';
import {
  LOGIN_TOKEN_GC,
  type LoginTokenGcDeps,
  LoginTokenGcReconciler,
} from './login-token-gc-reconciler.js';

export interface LoginTokenGcOptions extends Omit<
  LoginTokenGcDeps,
  'taskRunning' | 'taskLists' | 'loginTokens'
> {
  /** The cluster's tasks (desired status RUNNING), indexed by TASKS_BY_ID. */
  readonly tasks: Informer<ListedTask>;
  readonly loginTokens: Informer<LoginToken>;
  readonly name?: string;
  readonly group?: string;
}

export class LoginTokenGcController extends GoneTaskController<LoginToken> {
  constructor(options: LoginTokenGcOptions) {
    super({
      name: options.name ?? LOGIN_TOKEN_GC,
      group: options.group,
      tasks: options.tasks,
      leftovers: options.loginTokens,
      taskIdOf: (token) => token.taskId,
      reconciler: new LoginTokenGcReconciler({
        ...options,
        taskRunning: taskRunningIn(options.tasks),
        taskLists: options.tasks,
        loginTokens: options.loginTokens,
      }),
    });
  }
}
