/**
 * planTeardown: what `ecs-acl-controller cleanup` removes for one cluster, from fresh lists of
 * Consul's tokens, policies and the cluster's synthetic node. Pure.
 *
 * Invariants:
 * - Only what this controller (or consul-ecs, in the same formats) made for this cluster: service
 *   and client tokens whose description names the cluster exactly (see owned-acl), v0.4 service
 *   policies so described, the client policy `<prefix>-consul-client-policy` (only when the prefix is
 *   given), login tokens whose login meta names the cluster (see login-token), and the synthetic node
 *   named by the cluster ARN, only if its meta says `synthetic-node: true` (its services go with it).
 *   Nothing of another cluster, no foreign token and no Secrets Manager secret is ever in the plan.
 * - Order: tokens before the policies they may link, the node last.
 */
import { type AclPolicy, type AclScope, type AclToken } from '../../src/consul/acl-types.js';
import { type CatalogNode } from '../../src/consul/catalog-api.js';
import { toOwnedPolicy, toOwnedToken } from '../adapters/owned-acl.js';
import { toLoginToken } from '../adapters/login-token-informer.js';

export type TeardownKind =
  'service-token' | 'client-token' | 'login-token' | 'service-policy' | 'client-policy' | 'synthetic-node';

export interface TeardownItem {
  readonly kind: TeardownKind;
  /** AccessorID, policy ID, or node name. */
  readonly id: string;
  /** What a person reads: the token's description's first line, the policy's name, the node. */
  readonly label: string;
  readonly scope: AclScope;
}

export interface TeardownInput {
  readonly clusterNames: readonly string[];
  /** The served partition, with partitions on. */
  readonly partition?: string;
  readonly clientPolicyName?: string;
  readonly tokens: readonly AclToken[];
  readonly policies: readonly AclPolicy[];
  /** The synthetic node (named by the cluster ARN), when it exists. */
  readonly node?: { readonly name: string; readonly value: CatalogNode };
}

/** The kind of teardown item `token` is for this cluster, or undefined if it is not ours. */
export function tokenKind(
  token: AclToken,
  clusterNames: readonly string[],
  partition: string | undefined,
): TeardownKind | undefined {
  const owned = toOwnedToken(token, clusterNames, partition);
  if (owned) return owned.kind === 'client' ? 'client-token' : 'service-token';
  return toLoginToken(token, clusterNames) ? 'login-token' : undefined;
}

export function planTeardown(input: TeardownInput): TeardownItem[] {
  const { clusterNames, partition, clientPolicyName } = input;
  const scopeOf = (object: { Partition?: string; Namespace?: string }): AclScope => ({
    ...(object.Partition ? { partition: object.Partition } : {}),
    ...(object.Namespace ? { namespace: object.Namespace } : {}),
  });
  const items: TeardownItem[] = [];
  for (const token of input.tokens) {
    const kind = tokenKind(token, clusterNames, partition);
    if (kind)
      items.push({
        kind,
        id: token.AccessorID,
        label: token.Description.split('\n')[0] ?? '',
        scope: scopeOf(token),
      });
  }
  for (const policy of input.policies) {
    const owned = toOwnedPolicy(policy, clusterNames, partition, clientPolicyName);
    if (owned)
      items.push({
        kind: owned.kind === 'client' ? 'client-policy' : 'service-policy',
        id: policy.ID,
        label: policy.Name,
        scope: scopeOf(policy),
      });
  }
  const node = input.node;
  if (node && node.value.meta['synthetic-node'] === 'true')
    items.push({
      kind: 'synthetic-node',
      id: node.name,
      label: `${node.name} (${node.value.services.length} services)`,
      scope: partition ? { partition } : {},
    });
  return items;
}
