/**
 * Token descriptions: how the controller marks the Consul tokens and policies it owns, in
 * consul-ecs's format, and how it recognises them again.
 *
 * Invariants:
 * - Service tokens: `Token for <svc> service\nconsul.hashicorp.com/cluster: <cluster>`, plus
 *   `\nconsul.hashicorp.com/partition: <p>\nconsul.hashicorp.com/namespace: <ns>` with partitions.
 *   v0.4-style service policies use the same format with `Policy for`.
 * - Ownership is exact: the whole description must parse and its cluster must equal one of our
 *   cluster's names (its short name and its ARN are the same cluster: consul-ecs wrote whichever
 *   it was given, the ARN on Fargate). A description whose cluster merely contains ours
 *   (consul-ecs matched a substring, so `prod` claimed `prod-2`) is not ours, and neither is any
 *   description with extra text.
 */
import { type ServiceRef } from './service-ref.js';

export const CLIENT_TOKEN_DESCRIPTION = 'ECS Consul client Token';
const CLUSTER_LINE = 'consul.hashicorp.com/cluster: ';
const CLIENT_CLUSTER_LINE = 'ecs-acl-controller/cluster: ';

const OWNED = new RegExp(
  '^(Token|Policy) for (\\S+) service\\nconsul\\.hashicorp\\.com/cluster: (\\S+)' +
    '(?:\\nconsul\\.hashicorp\\.com/partition: (\\S+)\\nconsul\\.hashicorp\\.com/namespace: (\\S+))?$',
);

/** A cluster's names as descriptions may carry them: the one we write first, then its aliases. */
export type ClusterNames = string | readonly string[];

function namesOf(cluster: ClusterNames): readonly string[] {
  return typeof cluster === 'string' ? [cluster] : cluster;
}

export interface OwnedObject {
  readonly kind: 'token' | 'policy';
  readonly service: ServiceRef;
}

export function serviceDescription(kind: 'Token' | 'Policy', service: ServiceRef, cluster: string): string {
  const base = `${kind} for ${service.name} service\n${CLUSTER_LINE}${cluster}`;
  if (service.partition === undefined) return base;
  return `${base}\nconsul.hashicorp.com/partition: ${service.partition}\nconsul.hashicorp.com/namespace: ${service.namespace ?? 'default'}`;
}

/** The service a description marks as owned by `cluster`, or undefined if it is not ours. */
export function parseOwnedDescription(
  description: string | undefined,
  cluster: ClusterNames,
): OwnedObject | undefined {
  const match = OWNED.exec(description ?? '');
  if (!match || !namesOf(cluster).includes(match[3])) return undefined;
  const [, kind, name, , partition, namespace] = match;
  const service: ServiceRef = partition === undefined ? { name } : { name, partition, namespace };
  return { kind: kind === 'Token' ? 'token' : 'policy', service };
}

/**
 * The description of the client token this controller mints for `cluster`. Its cluster line is
 * deliberately not consul-ecs's `consul.hashicorp.com/cluster: <c>`: consul-ecs v0.4.3 claims any
 * token whose description contains that line, cannot read a service name from this one, and so
 * deletes it as a service gone; a rollback to consul-ecs would lose the client token.
 */
export function clientTokenDescription(cluster: string): string {
  return `${CLIENT_TOKEN_DESCRIPTION}\n${CLIENT_CLUSTER_LINE}${cluster}`;
}

/** How earlier versions of this controller described the client token (recognised, rewritten). */
function legacyClientTokenDescription(cluster: string): string {
  return `${CLIENT_TOKEN_DESCRIPTION}\n${CLUSTER_LINE}${cluster}`;
}

/** True when `description` is our client token's description under any of the cluster's names. */
export function isClientTokenDescription(description: string | undefined, cluster: ClusterNames): boolean {
  return namesOf(cluster).some(
    (name) =>
      description === clientTokenDescription(name) || description === legacyClientTokenDescription(name),
  );
}
