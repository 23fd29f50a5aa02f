/**
 * Owned ACL objects: the slices of Consul tokens and policies the informers cache. Only objects
 * this controller owns (see token-description) are kept, and a token's SecretID is reduced to a
 * SHA-256 digest, so no secret sits in the cache, in an event, or in a log line.
 *
 * With a served partition, an object whose description names another partition is not owned,
 * wherever it lives: it never keys a reconcile, so nothing is kept, repaired or deleted for a
 * service of another partition.
 */
import { createHash } from 'node:crypto';

import {
  type ClusterNames,
  isClientTokenDescription,
  parseOwnedDescription,
} from '../domain/token-description.js';
import { inServedPartition, serviceKey } from '../domain/service-ref.js';
import { type AclPolicy, type AclToken } from '../../src/consul/acl-types.js';

export interface OwnedToken {
  readonly accessorId: string;
  readonly kind: 'service' | 'client';
  /** For service tokens: the service key. */
  readonly serviceKey?: string;
  readonly description: string;
  readonly serviceIdentities: readonly string[];
  readonly policyNames: readonly string[];
  readonly roleNames: readonly string[];
  /** SHA-256 of the SecretID, when Consul showed it; undefined if hidden. */
  readonly secretDigest?: string;
  readonly modifyIndex: number;
}

export interface OwnedPolicy {
  readonly id: string;
  readonly name: string;
  /** A v0.4-style service policy, or the client policy (matched by name). */
  readonly kind: 'service' | 'client';
  /** For service policies: the service key. */
  readonly serviceKey?: string;
  readonly modifyIndex: number;
}

export function digestSecret(secretId: string): string {
  return createHash('sha256').update(secretId.toLowerCase()).digest('hex');
}

export function toOwnedToken(
  token: AclToken,
  cluster: ClusterNames,
  partition?: string,
): OwnedToken | undefined {
  const base = {
    accessorId: token.AccessorID,
    description: token.Description ?? '',
    serviceIdentities: (token.ServiceIdentities ?? []).map((identity) => identity.ServiceName),
    policyNames: (token.Policies ?? []).map((policy) => policy.Name ?? policy.ID ?? ''),
    roleNames: (token.Roles ?? []).map((role) => role.Name ?? role.ID ?? ''),
    secretDigest: token.SecretID && token.SecretID !== '<hidden>' ? digestSecret(token.SecretID) : undefined,
    modifyIndex: token.ModifyIndex ?? 0,
  };
  if (isClientTokenDescription(token.Description, cluster)) return { ...base, kind: 'client' };
  const owned = parseOwnedDescription(token.Description, cluster);
  if (!owned || owned.kind !== 'token' || !inServedPartition(owned.service, partition)) return undefined;
  return { ...base, kind: 'service', serviceKey: serviceKey(owned.service) };
}

/**
 * `partition`: the served one (a policy describing another is not ours); `clientPolicyName`: the
 * client policy's name, cached too so its changes are seen.
 */
export function toOwnedPolicy(
  policy: AclPolicy,
  cluster: ClusterNames,
  partition?: string,
  clientPolicyName?: string,
): OwnedPolicy | undefined {
  const base = { id: policy.ID, name: policy.Name, modifyIndex: policy.ModifyIndex ?? 0 };
  if (clientPolicyName !== undefined && policy.Name === clientPolicyName) return { ...base, kind: 'client' };
  const owned = parseOwnedDescription(policy.Description, cluster);
  if (!owned || owned.kind !== 'policy' || !inServedPartition(owned.service, partition)) return undefined;
  return { ...base, kind: 'service', serviceKey: serviceKey(owned.service) };
}
