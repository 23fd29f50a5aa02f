/**
 * ACL records as the state store keeps them.
 *
 * Invariants:
 * - Links to policies and roles are stored by ID only; names are resolved when rendering, and a link
 *   to a deleted policy or role disappears from the rendered object, as in Consul.
 * - Records are replaced, never mutated in place, so a reader never sees a half-applied write.
 */
import { type Scope } from '../scope.js';

export interface ServiceIdentity {
  readonly ServiceName: string;
  readonly Datacenters?: readonly string[];
}

export interface NodeIdentity {
  readonly NodeName: string;
  readonly Datacenter: string;
}

export interface AclToken {
  readonly accessorId: string;
  readonly secretId: string;
  readonly description: string;
  readonly policyIds: readonly string[];
  readonly roleIds: readonly string[];
  readonly serviceIdentities: readonly ServiceIdentity[];
  readonly nodeIdentities: readonly NodeIdentity[];
  readonly local: boolean;
  readonly authMethod?: string;
  readonly expirationTime?: number;
  readonly createTime: number;
  readonly hash: string;
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly scope: Scope;
}

export interface AclPolicy {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly rules: string;
  readonly datacenters: readonly string[];
  readonly hash: string;
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly scope: Scope;
}

export interface AclRole {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly policyIds: readonly string[];
  readonly serviceIdentities: readonly ServiceIdentity[];
  readonly nodeIdentities: readonly NodeIdentity[];
  readonly hash: string;
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly scope: Scope;
}

export interface AclAuthMethod {
  readonly name: string;
  readonly type: string;
  readonly displayName: string;
  readonly description: string;
  readonly maxTokenTTL: string;
  readonly tokenLocality: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly namespaceRules: readonly unknown[];
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly scope: Scope;
}

export interface AclBindingRule {
  readonly id: string;
  readonly description: string;
  readonly authMethod: string;
  readonly selector: string;
  readonly bindType: string;
  readonly bindName: string;
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly scope: Scope;
}

export const GLOBAL_MANAGEMENT_POLICY_ID = '00000000-0000-0000-0000-000000000001';
export const GLOBAL_MANAGEMENT_POLICY_NAME = 'global-management';
export const ANONYMOUS_TOKEN_SECRET = 'anonymous';
