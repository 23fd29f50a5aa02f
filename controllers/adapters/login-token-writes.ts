/**
 * LoginTokenWrites: the one path by which a login token is ever deleted.
 *
 * Invariant: a delete happens only after a fresh read of the token (not the cache) shows that it
 * still exists and that its description is still a login description naming one of our cluster's
 * names exactly and the task id the caller is collecting. A token that changed in between (edited
 * by someone, or an AccessorID reused) is refused and counted, never deleted. Nothing here logs or
 * keeps a SecretID.
 */
import { type AclApi } from '../../src/consul/acl-api.js';
import { type RemovalOutcome } from '../domain/removal-outcome.js';
import { type AclScope } from '../../src/consul/acl-types.js';
import { isOurCluster, parseLoginDescription } from '../domain/login-token.js';
import { type LoginToken } from './login-token-informer.js';

export type LoginTokenDeleteOutcome = RemovalOutcome;

export class LoginTokenWrites {
  constructor(
    private readonly acl: AclApi,
    private readonly clusterNames: readonly string[],
  ) {}

  /** Deletes `token` if it is still the login token of `taskId` in our cluster. */
  async delete(token: LoginToken, taskId: string, signal?: AbortSignal): Promise<LoginTokenDeleteOutcome> {
    const scope = scopeOf(token);
    const fresh = await this.acl.readToken(token.accessorId, scope, signal);
    if (fresh === undefined) return 'already_gone';
    const meta = parseLoginDescription(fresh.Description);
    if (meta === undefined || meta.taskId !== taskId || !isOurCluster(meta, this.clusterNames))
      return 'refused';
    await this.acl.deleteToken(token.accessorId, scope, signal);
    return 'deleted';
  }
}

function scopeOf(token: LoginToken): AclScope {
  return {
    ...(token.partition ? { partition: token.partition } : {}),
    ...(token.namespace ? { namespace: token.namespace } : {}),
  };
}
