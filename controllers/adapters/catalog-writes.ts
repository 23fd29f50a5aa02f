/**
 * CatalogWrites: the one path by which a task's service is ever deregistered from the synthetic
 * node.
 *
 * Invariant: a deregistration happens only after a fresh read of the node (not the cache) shows
 * the service still there with the `task-id` meta of the task being cleaned up; a service that is
 * gone counts as already gone, one whose meta changed (re-registered by another task under the same
 * ID) is refused, never deregistered.
 */
import { type AclScope } from '../../src/consul/acl-types.js';
import { type CatalogApi } from '../../src/consul/catalog-api.js';
import { type RemovalOutcome } from '../domain/removal-outcome.js';
import { TASK_ID_META, type TaskCatalogService } from './catalog-service-informer.js';

export class CatalogWrites {
  constructor(private readonly catalog: CatalogApi) {}

  async deregister(entry: TaskCatalogService, taskId: string, signal?: AbortSignal): Promise<RemovalOutcome> {
    const scope: AclScope = {
      ...(entry.partition ? { partition: entry.partition } : {}),
      ...(entry.namespace ? { namespace: entry.namespace } : {}),
    };
    const { items } = await this.catalog.nodeServices(entry.node, scope, { signal });
    const fresh = items.find((service) => service.ID === entry.serviceId);
    if (fresh === undefined) return 'already_gone';
    if (fresh.Meta[TASK_ID_META] !== taskId) return 'refused';
    await this.catalog.deregister(entry.node, entry.serviceId, scope, signal);
    return 'deleted';
  }
}
