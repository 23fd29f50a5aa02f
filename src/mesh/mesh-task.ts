/**
 * MeshTask: what the controllers need to know about one ECS task, derived once from its
 * immutable tags and task-definition ARN.
 *
 * Invariants:
 * - `mesh` is true only when the tag `consul.hashicorp.com/mesh` is exactly "true".
 * - The service name is the `consul.hashicorp.com/service-name` tag if non-empty, else the
 *   family from the task-definition ARN (`…:task-definition/<family>:<revision>`).
 * - With partitions enabled, the partition and namespace tags must come together or not at all
 *   (both absent means default/default). A task that breaks a rule keeps `mesh` but carries
 *   `problem`, and has no `service`.
 * - No part of the service (name, partition, namespace) contains "/", the service-key separator:
 *   otherwise a service-name tag `evil/default/web` in a cluster without partitions would be keyed
 *   as service `web` of partition `evil` and act on web's secret.
 */
import { MESH_TAG, NAMESPACE_TAG, PARTITION_TAG, SERVICE_NAME_TAG } from './mesh-tags.js';
import { type ServiceRef } from './service-ref.js';

export interface MeshTask {
  readonly taskArn: string;
  readonly taskDefinitionArn: string;
  readonly mesh: boolean;
  readonly service?: ServiceRef;
  readonly problem?: string;
  /** ECS's version counter; the informer's object version. */
  readonly version: number;
}

export interface TaskFacts {
  readonly taskArn: string;
  readonly taskDefinitionArn: string;
  readonly tags: ReadonlyArray<{ readonly key?: string; readonly value?: string }>;
  readonly version?: number;
}

export function familyFromTaskDefinitionArn(arn: string): string | undefined {
  const slash = arn.split('/');
  if (slash.length !== 2) return undefined;
  const colon = slash[1].split(':');
  if (colon.length !== 2 || colon[0] === '') return undefined;
  return colon[0];
}

export function toMeshTask(facts: TaskFacts, partitionsEnabled: boolean): MeshTask {
  const tags = new Map(facts.tags.map((tag) => [tag.key ?? '', tag.value ?? '']));
  const base = {
    taskArn: facts.taskArn,
    taskDefinitionArn: facts.taskDefinitionArn,
    mesh: tags.get(MESH_TAG) === 'true',
    version: facts.version ?? 0,
  };
  if (!base.mesh) return base;
  const name = tags.get(SERVICE_NAME_TAG) || familyFromTaskDefinitionArn(facts.taskDefinitionArn);
  if (!name) {
    return {
      ...base,
      problem: `cannot determine task family from task definition ARN "${facts.taskDefinitionArn}"`,
    };
  }
  if (!partitionsEnabled) return withService(base, { name });
  const partition = tags.get(PARTITION_TAG);
  const namespace = tags.get(NAMESPACE_TAG);
  if ((partition === undefined) !== (namespace === undefined)) {
    return { ...base, problem: 'task definition requires both partition and namespace tags' };
  }
  return withService(base, { name, partition: partition ?? 'default', namespace: namespace ?? 'default' });
}

function withService(base: MeshTask, service: ServiceRef): MeshTask {
  if ([service.name, service.partition, service.namespace].some((part) => part?.includes('/'))) {
    return { ...base, problem: 'service name, partition and namespace must not contain "/"' };
  }
  return { ...base, service };
}
