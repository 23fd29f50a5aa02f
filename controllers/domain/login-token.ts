/**
 * Login tokens: what Consul writes into the description of a token made by `/v1/acl/login`, and
 * whether such a token belongs to a task of our cluster (consul-ecs v0.5+ tasks log in with the
 * `aws-iam` auth method, passing `consul.hashicorp.com/cluster` and `consul.hashicorp.com/task-id`
 * as login meta; Consul describes the token as `token created via login: <meta as JSON>`).
 *
 * Invariants (pure):
 * - A description is a login description only if it starts with exactly that prefix and the rest
 *   is one JSON object whose cluster and task-id are non-empty strings; anything else (a bare JSON
 *   object, which consul-ecs v0.10 also accepts, a prefix in the middle, a wrong type) is not, so
 *   such a token is never touched.
 * - A task id never contains `/` (it is the last segment of a task ARN).
 * - A login token is ours only if its cluster equals one of our cluster's names exactly (the
 *   configured form or its alias: short name or ARN); no prefix or case-insensitive match.
 */
export const LOGIN_DESCRIPTION_PREFIX = 'token created via login:';
export const LOGIN_META_CLUSTER = 'consul.hashicorp.com/cluster';
export const LOGIN_META_TASK_ID = 'consul.hashicorp.com/task-id';

export interface LoginMeta {
  readonly cluster: string;
  readonly taskId: string;
}

/** The login meta in a token description, or undefined when it is not a login description. */
export function parseLoginDescription(description: string): LoginMeta | undefined {
  if (!description.startsWith(LOGIN_DESCRIPTION_PREFIX)) return undefined;
  let meta: unknown;
  try {
    meta = JSON.parse(description.slice(LOGIN_DESCRIPTION_PREFIX.length));
  } catch {
    return undefined;
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return undefined;
  const cluster = (meta as Record<string, unknown>)[LOGIN_META_CLUSTER];
  const taskId = (meta as Record<string, unknown>)[LOGIN_META_TASK_ID];
  if (typeof cluster !== 'string' || cluster === '' || typeof taskId !== 'string' || taskId === '')
    return undefined;
  if (taskId.includes('/')) return undefined;
  return { cluster, taskId };
}

/** Whether login meta names our cluster, given every name it is known by (exact match). */
export function isOurCluster(meta: LoginMeta, clusterNames: readonly string[]): boolean {
  return clusterNames.includes(meta.cluster);
}
