/**
 * CatalogCleanupController: the `catalog-cleanup` plugin: the GoneTaskController for the services
 * a stopped task left registered on our cluster's synthetic node, deregistered through
 * CatalogWrites (which re-reads the node and refuses a service that is no longer this task's).
 * Failed deregistrations fail the reconcile and are retried (consul-ecs v0.10 drops them).
 */
import { type Informer } from '../../src/cache/informer.js';
import { type ListedTask } from '../../src/aws/ecs-task-facts.js';
import { CATALOG_SERVICES_BY_TASK, type TaskCatalogService } from '../adapters/catalog-service-informer.js';
import { type CatalogWrites } from '../adapters/catalog-writes.js';
import { GoneTaskController, taskRunningIn } from '../task-cleanup/gone-task-controller.js';
import { type GoneTaskDeps, GoneTaskReconciler } from '../task-cleanup/gone-task-reconciler.js';

export const CATALOG_CLEANUP = 'catalog-cleanup';

export interface CatalogCleanupOptions extends Omit<
  GoneTaskDeps<TaskCatalogService>,
  'what' | 'taskRunning' | 'taskLists' | 'leftovers' | 'remove' | 'describe'
> {
  readonly tasks: Informer<ListedTask>;
  readonly services: Informer<TaskCatalogService>;
  readonly writes: Pick<CatalogWrites, 'deregister'>;
  readonly name?: string;
  readonly group?: string;
}

export class CatalogCleanupController extends GoneTaskController<TaskCatalogService> {
  constructor(options: CatalogCleanupOptions) {
    super({
      name: options.name ?? CATALOG_CLEANUP,
      group: options.group,
      tasks: options.tasks,
      leftovers: options.services,
      taskIdOf: (entry) => entry.taskId,
      reconciler: new GoneTaskReconciler<TaskCatalogService>({
        ...options,
        what: 'catalog service',
        taskRunning: taskRunningIn(options.tasks),
        taskLists: options.tasks,
        leftovers: (taskId) => options.services.store.byIndex(CATALOG_SERVICES_BY_TASK, taskId),
        remove: (entry, taskId, signal) => options.writes.deregister(entry, taskId, signal),
        describe: (entry) => ({ serviceId: entry.serviceId, service: entry.service, node: entry.node }),
      }),
    });
  }
}
