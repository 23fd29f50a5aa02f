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
 * - With partitions enabled, a task of another partition than the served one keeps `mesh` but
 *   carries `foreignPartition` instead of `service` (see meshIdentity).
 */
import { familyFromTaskDefinitionArn } from '../../src/aws/arn.js';
import { ecsServiceOfGroup, type EcsTaskFacts } from '../../src/aws/ecs-task-facts.js';
import { meshIdentity, NO_SERVICE_NAME } from './mesh-identity.js';
import { type ServiceRef } from './service-ref.js';

export interface MeshTask {
  readonly taskArn: string;
  readonly taskDefinitionArn: string;
  readonly mesh: boolean;
  readonly service?: ServiceRef;
  readonly problem?: string;
  /** Set when the task is a mesh task of a partition this controller does not serve. */
  readonly foreignPartition?: string;
  /** ECS's version counter; the informer's object version. */
  readonly version: number;
  /** The ECS service that started the task (from its group `service:<name>`), if one did. */
  readonly ecsService?: string;
}

/** `servedPartition`: the one partition served with partitions enabled (default "default"). */
export function toMeshTask(
  facts: EcsTaskFacts,
  partitionsEnabled: boolean,
  servedPartition?: string,
): MeshTask {
  const ecsService = ecsServiceOfGroup(facts.group);
  const base = {
    taskArn: facts.taskArn,
    taskDefinitionArn: facts.taskDefinitionArn,
    version: facts.version,
    ...(ecsService !== undefined ? { ecsService } : {}),
  };
  const identity = meshIdentity(
    facts.tags,
    familyFromTaskDefinitionArn(facts.taskDefinitionArn),
    partitionsEnabled,
    servedPartition,
  );
  if (identity.problem === NO_SERVICE_NAME) {
    return {
      ...base,
      mesh: true,
      problem: `cannot determine task family from task definition ARN "${facts.taskDefinitionArn}"`,
    };
  }
  return { ...base, ...identity };
}
