/**
 * LoginTokenGcReconciler: the GoneTaskReconciler for login tokens: a stopped task's tokens, found
 * in the login-token informer's cache by task id, deleted through LoginTokenWrites (which
 * re-reads each token and refuses one that is no longer this task's login token in our cluster).
 */
import { type Store } from '../../src/cache/store.js';
import { LOGIN_TOKENS_BY_TASK, type LoginToken } from '../adapters/login-token-informer.js';
import { type LoginTokenWrites } from '../adapters/login-token-writes.js';
import { type GoneTaskDeps, GoneTaskReconciler } from '../task-cleanup/gone-task-reconciler.js';

export const LOGIN_TOKEN_GC = 'login-token-gc';

export interface LoginTokenGcDeps extends Omit<
  GoneTaskDeps<LoginToken>,
  'what' | 'leftovers' | 'remove' | 'describe'
> {
  readonly loginTokens: { readonly store: Store<LoginToken> };
  readonly writes: Pick<LoginTokenWrites, 'delete'>;
}

export class LoginTokenGcReconciler extends GoneTaskReconciler<LoginToken> {
  constructor(deps: LoginTokenGcDeps) {
    super({
      ...deps,
      what: 'login token',
      leftovers: (taskId) => deps.loginTokens.store.byIndex(LOGIN_TOKENS_BY_TASK, taskId),
      remove: (token, taskId, signal) => deps.writes.delete(token, taskId, signal),
      describe: (token) => ({ accessorId: token.accessorId, cluster: token.cluster }),
    });
  }
}
