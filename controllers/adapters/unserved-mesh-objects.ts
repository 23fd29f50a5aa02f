/**
 * UnservedMeshObjects: reports the mesh tasks and mesh ECS services the service-token controller
 * does not serve, as they pass by on the informers' event streams (the watch mappings stay pure).
 *
 * Invariants:
 * - Only `added` events of mesh objects are reported, so each object is reported once per
 *   subscription (a subscriber first gets the whole store as `added`); other events, and
 *   objects that are not mesh objects, are ignored.
 * - Another admin partition's object: `acl_controller_skipped_total{resource,
 *   reason="foreign_partition"}` and a debug log (consul-ecs v0.4.3's "in external partition").
 * - An object with unusable tags: `acl_controller_errors_total{kind="invalid_task_tags"}` and an
 *   error log naming the task or ECS service and why.
 * - The reporting runs inside the subscriber's stream (`tasks`, `services` return their input with
 *   the reporting tapped in), so it happens exactly when and as often as that subscriber sees the
 *   event; it never changes, drops or adds an event, and logs no SecretID.
 * - It never throws (the logger swallows its own failures; every metric label is fixed), so the
 *   stream it is tapped into never errors because of it.
 */
import { type MonoTypeOperatorFunction, tap } from 'rxjs';

import { type InformerEvent } from '../../src/cache/events.js';
import { servedPartition } from '../domain/acl-config.js';
import { type MeshService } from '../domain/mesh-service.js';
import { type MeshTask } from '../domain/mesh-task.js';
import { type AclDeps } from './acl-deps.js';
import { type SkippedResource } from './acl-metrics.js';

export type UnservedDeps = Pick<AclDeps, 'config' | 'logger' | 'metrics'>;

export class UnservedMeshObjects {
  constructor(private readonly deps: UnservedDeps) {}

  /** Passes task events on unchanged, reporting each added unserved mesh task. */
  tasks(): MonoTypeOperatorFunction<InformerEvent<MeshTask>> {
    return tap((event) => this.task(event));
  }

  /** Passes ECS service events on unchanged, reporting each added unserved mesh ECS service. */
  services(): MonoTypeOperatorFunction<InformerEvent<MeshService>> {
    return tap((event) => this.service(event));
  }

  task(event: InformerEvent<MeshTask>): void {
    this.report(event, 'task', { task: event.obj.taskArn });
  }

  service(event: InformerEvent<MeshService>): void {
    this.report(event, 'ecs_service', { ecsService: event.obj.serviceArn });
  }

  private report(
    event: InformerEvent<MeshTask | MeshService>,
    resource: SkippedResource,
    what: Record<string, string>,
  ): void {
    const { obj } = event;
    if (event.type !== 'added' || !obj.mesh) return;
    const { metrics, logger, config } = this.deps;
    const noun = resource === 'task' ? 'task' : 'ECS service';
    if (obj.foreignPartition !== undefined) {
      metrics.skipped.inc({ resource, reason: 'foreign_partition' });
      logger.debug(`skipping ${noun} in external partition`, {
        ...what,
        cluster: config.cluster,
        partition: obj.foreignPartition,
        servedPartition: servedPartition(config),
      });
    } else if (obj.problem) {
      metrics.errors.inc({ kind: 'invalid_task_tags' });
      logger.error(`skipping mesh ${noun} with unusable tags`, {
        ...what,
        cluster: config.cluster,
        reason: obj.problem,
      });
    }
  }
}
