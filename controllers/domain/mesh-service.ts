/**
 * MeshService: what the controllers need to know about one ECS service, to give it a token before
 * its first task starts (pre-provisioning).
 *
 * Invariants:
 * - An ECS service is a mesh service when its task definition's tags say so, or its own tags do
 *   and it propagates them to tasks (`propagateTags` SERVICE); its name and scope come from that
 *   same tag set (else the task-definition family).
 * - With partitions enabled, a mesh service of another partition than the served one carries
 *   `foreignPartition` instead of `service` (see meshIdentity): it never gets a token here.
 * - Only ACTIVE services count as needing a token; DRAINING and INACTIVE ones are kept in the
 *   cache with their status, so the garbage collector sees them go.
 */
import { type EcsServiceFacts } from '../../src/aws/ecs-service-facts.js';
import { assignMeshIdentity, hasMeshTag, meshIdentity, type Mutable } from './mesh-identity.js';
import { type ServiceRef } from './service-ref.js';

export interface MeshService {
  readonly serviceArn: string;
  readonly status: string;
  readonly taskDefinitionArn: string;
  readonly desiredCount: number;
  readonly mesh: boolean;
  readonly service?: ServiceRef;
  readonly problem?: string;
  /** Set when the service is a mesh service of a partition this controller does not serve. */
  readonly foreignPartition?: string;
}

/** `servedPartition`: the one partition served with partitions enabled (default "default"). */
export function toMeshService(
  facts: EcsServiceFacts,
  partitionsEnabled: boolean,
  servedPartition?: string,
): MeshService {
  const service: Mutable<MeshService> = {
    serviceArn: facts.serviceArn,
    status: facts.status,
    taskDefinitionArn: facts.taskDefinitionArn,
    desiredCount: facts.desiredCount,
    mesh: false,
  };
  const source = hasMeshTag(facts.taskDefinition.tags)
    ? facts.taskDefinition.tags
    : facts.propagateTags === 'SERVICE' && hasMeshTag(facts.tags)
      ? facts.tags
      : undefined;
  if (!source) return service;
  return assignMeshIdentity(
    service,
    meshIdentity(source, facts.taskDefinition.family, partitionsEnabled, servedPartition),
  );
}
