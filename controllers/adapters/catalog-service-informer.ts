/**
 * The catalog-service informer: the services registered on our cluster's synthetic Consul node
 * (consul-ecs v0.7+ registers each mesh task's services on a node named after the cluster ARN,
 * with the task id in the service meta `task-id`), kept fresh by blocking queries on
 * `/v1/catalog/node/<node>`.
 *
 * Invariants:
 * - Only services with a non-empty `task-id` meta (without `/`) are cached; any other service on
 *   the node is left alone and never blocks the cleanup of the rest (consul-ecs v0.10 fails its
 *   whole pass on one such service).
 * - Each cached entry is a fixed-shape object; its key is `<partition>/<namespace>/<service ID>`.
 */
import { type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../../src/cache/informer-observer.js';
import { Informer } from '../../src/cache/informer.js';
import { type AclScope, type Indexed } from '../../src/consul/acl-types.js';
import { type CatalogApi, type CatalogService } from '../../src/consul/catalog-api.js';
import { fromAbortable } from '../../src/rx/from-abortable.js';
import { owned, WATCH_FLOOR_MS } from './acl-informers.js';

export const CATALOG_SERVICES_BY_TASK = 'byTaskId';
export const TASK_ID_META = 'task-id';

export interface TaskCatalogService {
  readonly node: string;
  readonly serviceId: string;
  readonly service: string;
  readonly taskId: string;
  readonly partition: string;
  readonly namespace: string;
  readonly modifyIndex: number;
}

/** The entry of a service on `node` that belongs to a task, or undefined. */
export function toTaskCatalogService(node: string, service: CatalogService): TaskCatalogService | undefined {
  const taskId = service.Meta[TASK_ID_META];
  if (typeof taskId !== 'string' || taskId === '' || taskId.includes('/')) return undefined;
  return {
    node,
    serviceId: service.ID,
    service: service.Service,
    taskId,
    partition: service.Partition ?? '',
    namespace: service.Namespace ?? '',
    modifyIndex: service.ModifyIndex ?? 0,
  };
}

export interface CatalogServiceInformerOptions {
  readonly catalog: CatalogApi;
  /** The synthetic node: the cluster ARN. */
  readonly node: string;
  readonly scope: AclScope;
  readonly resyncPeriodMs: number;
  readonly watchWaitMs?: number;
  readonly minWatchIntervalMs?: number;
  readonly scheduler: SchedulerLike;
  readonly observer?: InformerObserver;
  readonly name?: string;
  readonly group?: string;
}

export function createCatalogServiceInformer(
  options: CatalogServiceInformerOptions,
): Informer<TaskCatalogService> {
  const { catalog, node, scope, watchWaitMs } = options;
  const ours = (page: Indexed<CatalogService>) =>
    owned(page, (service) => toTaskCatalogService(node, service));
  return new Informer<TaskCatalogService>({
    name: options.name ?? 'consul-catalog-services',
    group: options.group,
    list: () => fromAbortable(async (signal) => ours(await catalog.nodeServices(node, scope, { signal }))),
    watch: (index) =>
      fromAbortable(async (signal) =>
        ours(await catalog.nodeServices(node, scope, { index, waitMs: watchWaitMs, signal })),
      ),
    keyOf: (entry) => `${entry.partition}/${entry.namespace}/${entry.serviceId}`,
    versionOf: (entry) => String(entry.modifyIndex),
    indexers: { [CATALOG_SERVICES_BY_TASK]: (entry) => [entry.taskId] },
    resyncPeriodMs: options.resyncPeriodMs,
    minWatchIntervalMs: options.minWatchIntervalMs ?? WATCH_FLOOR_MS,
    scheduler: options.scheduler,
    observer: options.observer,
  });
}
