/**
 * Authorizer: what one ACL token may do, computed from its policies, its roles' policies and its
 * service and node identities (the `acl.Authorizer` of Consul, with default_policy = "deny").
 *
 * Invariants:
 * - An exact rule beats any prefix rule; among prefix rules the longest prefix wins.
 * - When several policies name the same resource, deny beats write beats list beats read.
 * - Anything no rule names is denied.
 * - Enterprise `partition`/`namespace` blocks count only when the request's scope matches them; rules
 *   outside such blocks apply in every scope (a simplification of Consul's per-namespace policies).
 * - Enterprise: the PolicyDefaults and RoleDefaults of the token's own namespace count as if linked
 *   to the token (Consul Enterprise's namespace ACL defaults: "applied to all tokens in this
 *   namespace").
 * - A denial raises Consul's PermissionDeniedError text, naming the AccessorID, never the SecretID.
 */
import { permissionDenied } from '../errors.js';
import {
  type Access,
  emptyRules,
  type GlobalKind,
  parseRules,
  type PolicyRules,
  RESOURCE_KINDS,
  type ResourceKind,
  type ScopedRules,
} from '../rules-parser.js';
import { getNamespace } from '../namespaces.js';
import { DEFAULT_SCOPE, type Scope } from '../scope.js';
import { type ConsulState } from '../state.js';
import { type AclToken } from './model.js';

const PRECEDENCE: Record<Access, number> = { read: 1, list: 2, write: 3, deny: 4 };

function stronger(a: Access | undefined, b: Access): Access {
  return a === undefined || PRECEDENCE[b] > PRECEDENCE[a] ? b : a;
}

function grants(actual: Access | undefined, needed: 'read' | 'list' | 'write'): boolean {
  if (actual === undefined || actual === 'deny') return false;
  if (needed === 'write') return actual === 'write';
  if (needed === 'list') return actual === 'list' || actual === 'write';
  return true;
}

function scopeMatches(scoped: ScopedRules, scope: Scope): boolean {
  const value = scoped.kind === 'partition' ? scope.partition : scope.namespace;
  return scoped.prefix ? value.startsWith(scoped.name) : value === scoped.name;
}

/** Merges `source` into `target`, including the scoped blocks that match the request's scope. */
function mergeInto(target: PolicyRules, source: PolicyRules, scope: Scope): void {
  mergeFlat(target, source);
  for (const scoped of source.scoped) if (scopeMatches(scoped, scope)) mergeInto(target, scoped.rules, scope);
}

function mergeFlat(target: PolicyRules, source: PolicyRules): void {
  for (const [kind, access] of Object.entries(source.global) as [GlobalKind, Access][]) {
    target.global[kind] = stronger(target.global[kind], access);
  }
  for (const kind of RESOURCE_KINDS) {
    for (const [name, access] of source.exact[kind])
      target.exact[kind].set(name, stronger(target.exact[kind].get(name), access));
    for (const [name, access] of source.prefix[kind])
      target.prefix[kind].set(name, stronger(target.prefix[kind].get(name), access));
  }
}

function serviceIdentityRules(serviceName: string): string {
  return `service "${serviceName}" { policy = "write" }
service "${serviceName}-sidecar-proxy" { policy = "write" }
service_prefix "" { policy = "read" }
node_prefix "" { policy = "read" }`;
}

function nodeIdentityRules(nodeName: string): string {
  return `node "${nodeName}" { policy = "write" }
service_prefix "" { policy = "read" }`;
}

export class Authorizer {
  constructor(
    /** The token's AccessorID; the anonymous token's for requests without a token. */
    readonly accessorId: string,
    private readonly rules: PolicyRules,
  ) {}

  /** The access this token has to a resource, after exact/prefix resolution. */
  accessTo(kind: ResourceKind, name: string): Access | undefined {
    const exact = this.rules.exact[kind].get(name);
    if (exact !== undefined) return exact;
    let best: string | undefined;
    for (const prefix of this.rules.prefix[kind].keys()) {
      if (name.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
    }
    return best === undefined ? undefined : this.rules.prefix[kind].get(best);
  }

  can(kind: GlobalKind, needed: 'read' | 'write'): boolean {
    return grants(this.rules.global[kind], needed);
  }

  canResource(kind: ResourceKind, name: string, needed: 'read' | 'list' | 'write'): boolean {
    return grants(this.accessTo(kind, name), needed);
  }

  /** Write on every possible resource under `prefix` (Consul's KeyWritePrefix). */
  canWritePrefix(kind: ResourceKind, prefix: string): boolean {
    if (!this.canResource(kind, prefix, 'write')) return false;
    for (const map of [this.rules.exact[kind], this.rules.prefix[kind]]) {
      for (const [name, access] of map) if (name.startsWith(prefix) && access !== 'write') return false;
    }
    return true;
  }

  require(kind: GlobalKind, needed: 'read' | 'write'): void {
    if (!this.can(kind, needed)) throw permissionDenied(this.accessorId, `${kind}:${needed}`);
  }

  requireResource(kind: ResourceKind, name: string, needed: 'read' | 'list' | 'write'): void {
    if (!this.canResource(kind, name, needed))
      throw permissionDenied(this.accessorId, `${kind}:${needed}`, name);
  }

  requireWritePrefix(kind: ResourceKind, prefix: string): void {
    if (!this.canWritePrefix(kind, prefix)) throw permissionDenied(this.accessorId, `${kind}:write`, prefix);
  }
}

/** Builds the authorizer for a stored token. */
export function authorizerFor(state: ConsulState, token: AclToken, scope: Scope = DEFAULT_SCOPE): Authorizer {
  const merged = emptyRules();
  const defaults = getNamespace(state, token.scope.partition, token.scope.namespace);
  const policyIds = new Set([...token.policyIds, ...(defaults?.policyDefaults ?? [])]);
  const serviceNames = token.serviceIdentities.map((identity) => identity.ServiceName);
  const nodeNames = token.nodeIdentities.map((identity) => identity.NodeName);
  for (const roleId of new Set([...token.roleIds, ...(defaults?.roleDefaults ?? [])])) {
    const role = state.roles.get(roleId);
    if (!role) continue;
    for (const id of role.policyIds) policyIds.add(id);
    serviceNames.push(...role.serviceIdentities.map((identity) => identity.ServiceName));
    nodeNames.push(...role.nodeIdentities.map((identity) => identity.NodeName));
  }
  for (const id of policyIds) {
    const policy = state.policies.get(id);
    if (policy) mergeInto(merged, parseRules(policy.rules), scope);
  }
  for (const name of serviceNames) mergeInto(merged, parseRules(serviceIdentityRules(name)), scope);
  for (const name of nodeNames) mergeInto(merged, parseRules(nodeIdentityRules(name)), scope);
  return new Authorizer(token.accessorId, merged);
}
