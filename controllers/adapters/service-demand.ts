/**
 * serviceNeedsToken: the one rule for "this service needs a token", shared by the service-token
 * controller (which provisions) and the garbage collector (which must not collect).
 *
 * A service needs a token while it has a running mesh task, or — with pre-provisioning — while an
 * ACTIVE ECS service is a mesh service under that name, even at desired count 0, so the token
 * exists before its first task starts.
 */
import { ACTIVE_SERVICES_BY_KEY, TASKS_BY_SERVICE } from './mesh-indexes.js';
import { type AclDeps } from './acl-deps.js';

export function serviceNeedsToken(deps: AclDeps, key: string): boolean {
  return serviceRunsMeshTasks(deps, key) || heldByEcsService(deps, key);
}

/** Whether a running mesh task of the service is cached. */
export function serviceRunsMeshTasks(deps: AclDeps, key: string): boolean {
  return deps.tasks.store.indexKeys(TASKS_BY_SERVICE, key).length > 0;
}

/** Whether an ACTIVE mesh ECS service of that name is cached (pre-provisioning). */
export function heldByEcsService(deps: AclDeps, key: string): boolean {
  return deps.services !== undefined && deps.services.store.indexKeys(ACTIVE_SERVICES_BY_KEY, key).length > 0;
}

/** How many distinct services need a token now. */
export function servicesNeedingTokens(deps: AclDeps): number {
  const keys = new Set(deps.tasks.store.indexValues(TASKS_BY_SERVICE));
  for (const key of deps.services?.store.indexValues(ACTIVE_SERVICES_BY_KEY) ?? []) keys.add(key);
  return keys.size;
}
