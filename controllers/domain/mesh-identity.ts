/**
 * meshIdentity: decides, from one set of ECS tags and a task-definition family, whether something
 * belongs to the mesh and as which Consul service. Tasks (their own tags) and ECS services (their
 * task definition's or their own tags) share this rule.
 *
 * Invariants:
 * - `mesh` is true only when the tag `consul.hashicorp.com/mesh` is exactly "true".
 * - The service name is the `consul.hashicorp.com/service-name` tag if non-empty, else the family.
 * - With partitions enabled, the partition and namespace tags come together or not at all (both
 *   absent means default/default); otherwise they are ignored.
 * - No part of the service (name, partition, namespace) may contain "/", since service keys join
 *   them with "/".
 * - A mesh identity that breaks a rule has `problem` and no `service`. Never throws.
 * - With partitions enabled, a usable identity of a partition other than the served one (consul-ecs
 *   v0.4.3 `fetchECSTasks`: "skipping task in external partition") has `foreignPartition` and no
 *   `service`: nothing keys, indexes or counts it as a service of ours. A mesh identity therefore
 *   has exactly one of `service`, `problem` and `foreignPartition`.
 */
import { type EcsTags } from '../../src/aws/ecs-tags.js';
import { MESH_TAG, NAMESPACE_TAG, PARTITION_TAG, SERVICE_NAME_TAG } from './mesh-tags.js';
import { type ServiceRef, serviceKey } from './service-ref.js';

export const NO_SERVICE_NAME = 'no service-name tag and no task family';
/** Consul Enterprise's default admin partition and namespace. */
export const DEFAULT_PARTITION = 'default';
const DEFAULT_NAMESPACE = 'default';

export interface MeshIdentity {
  readonly mesh: boolean;
  readonly service?: ServiceRef;
  readonly problem?: string;
  /** The partition of a mesh service this controller does not serve (another partition's). */
  readonly foreignPartition?: string;
}

/**
 * `servedPartition` is the one partition served when `partitionsEnabled` (consul-ecs's
 * `-partition`, "default" when unset); it is ignored otherwise.
 */
export function meshIdentity(
  tags: EcsTags,
  family: string | undefined,
  partitionsEnabled: boolean,
  servedPartition: string = DEFAULT_PARTITION,
): MeshIdentity {
  const byKey = new Map(tags.map((tag) => [tag.key ?? '', tag.value ?? '']));
  if (byKey.get(MESH_TAG) !== 'true') return { mesh: false };
  const name = byKey.get(SERVICE_NAME_TAG) || family;
  if (!name) return { mesh: true, problem: NO_SERVICE_NAME };
  if (!partitionsEnabled) return withService({ name });
  const partition = byKey.get(PARTITION_TAG);
  const namespace = byKey.get(NAMESPACE_TAG);
  if ((partition === undefined) !== (namespace === undefined)) {
    return { mesh: true, problem: 'task definition requires both partition and namespace tags' };
  }
  const identity = withService({
    name,
    partition: partition ?? DEFAULT_PARTITION,
    namespace: namespace ?? DEFAULT_NAMESPACE,
  });
  const scoped = identity.service?.partition;
  if (scoped !== undefined && scoped !== servedPartition) return { mesh: true, foreignPartition: scoped };
  return identity;
}

/** A "/" would let a tag pose as another service's key (keys join partition/namespace/name). */
function withService(service: ServiceRef): MeshIdentity {
  if ([service.name, service.partition, service.namespace].some((part) => part?.includes('/'))) {
    return { mesh: true, problem: 'service name, partition and namespace must not contain "/"' };
  }
  return { mesh: true, service };
}

/** A cached item while it is being built (its fields are readonly once returned). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Sets `identity`'s fields on `target` (a cached task or service being built), only those present,
 * in one order: cached items then share a few hidden classes instead of one per object spread.
 */
export function assignMeshIdentity<T extends Mutable<MeshIdentity>>(target: T, identity: MeshIdentity): T {
  target.mesh = identity.mesh;
  if (identity.service !== undefined) target.service = identity.service;
  if (identity.problem !== undefined) target.problem = identity.problem;
  if (identity.foreignPartition !== undefined) target.foreignPartition = identity.foreignPartition;
  return target;
}

export function hasMeshTag(tags: EcsTags): boolean {
  return tags.some((tag) => tag.key === MESH_TAG && tag.value === 'true');
}

/**
 * The key of a served mesh object (task or ECS service) with a usable service; none for an object
 * outside the mesh, with a problem, or of another partition. Every event-to-key mapping and
 * service-key index uses this one rule.
 */
export function servedServiceKeys(identity: MeshIdentity): string[] {
  if (!identity.mesh || identity.foreignPartition !== undefined || identity.problem || !identity.service)
    return [];
  return [serviceKey(identity.service)];
}
