/**
 * ServiceTokenController: the plugin that runs ServiceTokenReconciler. Its key is the service
 * key; it is enqueued by every event of a mesh task of the service, of a mesh ECS service under
 * that name (pre-provisioning), and of a token owned for it.
 * Tasks whose tags are unusable are reported here (error log and metric), once per task. Tasks
 * and ECS services of another admin partition are skipped (debug log, as consul-ecs v0.4.3, and
 * `acl_controller_skipped_total{reason="foreign_partition"}`), once each; they never make a key.
 */

import { type InformerEvent } from '../../src/cache/events.js';
import { type AnyWatch } from '../../src/reconcile/watch.js';
import { type OwnedToken } from '../adapters/owned-acl.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type MeshService } from '../domain/mesh-service.js';
import { type MeshTask } from '../domain/mesh-task.js';
import { serviceKey } from '../domain/service-ref.js';
import { servedPartition } from '../domain/acl-config.js';
import { type AclDeps } from '../adapters/acl-deps.js';
import { type SkippedResource } from '../adapters/acl-metrics.js';
import { SERVICE_TOKEN_CONTROLLER, ServiceTokenReconciler } from './service-token-reconciler.js';

export class ServiceTokenController implements ControllerPlugin {
  readonly name: string;
  readonly group: string;
  readonly reconciler: ServiceTokenReconciler;
  readonly maxConcurrentReconciles: number;

  constructor(private readonly deps: AclDeps) {
    this.name = deps.scopedName(SERVICE_TOKEN_CONTROLLER);
    this.group = deps.config.cluster;
    this.reconciler = new ServiceTokenReconciler(deps);
    this.maxConcurrentReconciles = deps.config.concurrency;
  }

  watches(): readonly AnyWatch[] {
    const services = this.deps.services;
    return [
      { source: this.deps.tasks.events$, toKeys: (event: InformerEvent<MeshTask>) => this.taskKeys(event) },
      ...(services
        ? [
            {
              source: services.events$,
              toKeys: (event: InformerEvent<MeshService>) => this.serviceKeys(event),
            },
          ]
        : []),
      {
        source: this.deps.tokens.events$,
        toKeys: (event: InformerEvent<OwnedToken>) => (event.obj.serviceKey ? [event.obj.serviceKey] : []),
      },
    ];
  }

  private serviceKeys(event: InformerEvent<MeshService>): string[] {
    const { obj } = event;
    if (!obj.mesh) return [];
    if (obj.foreignPartition !== undefined) {
      if (event.type === 'added')
        this.skipForeign('ecs_service', { ecsService: obj.serviceArn }, obj.foreignPartition);
      return [];
    }
    if (obj.problem) {
      if (event.type === 'added') {
        this.deps.metrics.errors.inc({ kind: 'invalid_task_tags' });
        this.deps.logger.error('skipping mesh ECS service with unusable tags', {
          ecsService: obj.serviceArn,
          cluster: this.deps.config.cluster,
          reason: obj.problem,
        });
      }
      return [];
    }
    if (!obj.service) return [];
    const key = serviceKey(obj.service);
    if (event.type === 'added' && obj.status === 'ACTIVE') this.reconciler.noteNeeded(key);
    return [key];
  }

  private taskKeys(event: InformerEvent<MeshTask>): string[] {
    const task = event.obj;
    if (!task.mesh) return [];
    if (task.foreignPartition !== undefined) {
      if (event.type === 'added') this.skipForeign('task', { task: task.taskArn }, task.foreignPartition);
      return [];
    }
    if (task.problem) {
      if (event.type === 'added') {
        this.deps.metrics.errors.inc({ kind: 'invalid_task_tags' });
        this.deps.logger.error('skipping mesh task with unusable tags', {
          task: task.taskArn,
          cluster: this.deps.config.cluster,
          reason: task.problem,
        });
      }
      return [];
    }
    if (!task.service) return [];
    const key = serviceKey(task.service);
    if (event.type === 'added') this.reconciler.noteNeeded(key);
    return [key];
  }

  private skipForeign(resource: SkippedResource, what: Record<string, string>, partition: string) {
    this.deps.metrics.skipped.inc({ resource, reason: 'foreign_partition' });
    this.deps.logger.debug(
      resource === 'task'
        ? 'skipping task in external partition'
        : 'skipping ECS service in external partition',
      {
        ...what,
        cluster: this.deps.config.cluster,
        partition,
        servedPartition: servedPartition(this.deps.config),
      },
    );
  }
}
