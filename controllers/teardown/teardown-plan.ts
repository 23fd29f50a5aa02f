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
 * - The shared `iam-ecs-service-token` auth method: our principal (`…:role/<iamRolePath>*` of the
 *   cluster's account) is taken out of it only when no other synthetic node of that account exists
 *   (no other cluster there trusts it); the method itself is deleted (with its binding rules and
 *   login tokens, by Consul) only when ours is the only principal it trusts.
 * - Order: tokens before the policies they may link, then the auth method, the node last.
 */
import { type AclPolicy, type AclScope, type AclToken } from '../../src/consul/acl-types.js';
import { arnScope } from '../../src/aws/arn.js';
import { type AuthMethod } from '../../src/consul/auth-api.js';
import { type CatalogNode } from '../../src/consul/catalog-api.js';
import { toOwnedPolicy, toOwnedToken } from '../adapters/owned-acl.js';
import { toLoginToken } from '../adapters/login-token-informer.js';

export type TeardownKind =
  | 'service-token'
  | 'client-token'
  | 'login-token'
  | 'service-policy'
  | 'client-policy'
  | 'auth-method-principal'
  | 'auth-method'
  | 'synthetic-node';

export interface TeardownItem {
  readonly kind: TeardownKind;
  /** AccessorID, policy ID, or node name. */
  readonly id: string;
  /** What a person reads: the token's description's first line, the policy's name, the node. */
  readonly label: string;
  readonly scope: AclScope;
  /** Auth-method items: our principal, to take out of it, or the one it must still trust alone. */
  readonly principal?: string;
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
  /** The shared IAM auth method, when it exists and the cluster's account is known. */
  readonly authMethod?: AuthMethodInput;
}

export interface AuthMethodInput {
  readonly method: AuthMethod;
  /** The principal our `controller` adds: `arn:aws:iam::<account>:role/<iamRolePath>*`. */
  readonly principal: string;
  /** The other synthetic nodes (other clusters' `controller`s), by name: cluster ARNs. */
  readonly otherClusterNodes: readonly string[];
}

/** Whether another cluster of the principal's account has a synthetic node (and so trusts it too). */
export function principalInUse(input: AuthMethodInput): boolean {
  const account = /^arn:[^:]+:iam::(\d{12}):/.exec(input.principal)?.[1];
  return input.otherClusterNodes.some((node) => arnScope(node)?.account === account);
}

/** The principals the method trusts (its config's string entries). */
export function trustedPrincipals(method: AuthMethod): string[] {
  const list = method.Config.BoundIAMPrincipalARNs;
  return Array.isArray(list) ? list.filter((entry): entry is string => typeof entry === 'string') : [];
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
  const auth = input.authMethod;
  if (auth && trustedPrincipals(auth.method).includes(auth.principal) && !principalInUse(auth)) {
    const alone = trustedPrincipals(auth.method).length === 1;
    items.push({
      kind: alone ? 'auth-method' : 'auth-method-principal',
      id: auth.method.Name,
      label: alone ? `trusts only ${auth.principal}` : `trust of ${auth.principal}`,
      scope: partition ? { partition } : {},
      principal: auth.principal,
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
