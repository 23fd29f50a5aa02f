/**
 * ConsulState: every record the emulated Consul holds, independent of any HTTP server, so a server
 * can be closed and a new one started on the same state (a Consul restart that keeps its raft log).
 *
 * Invariants:
 * - One global raft-like index; every write bumps it by exactly one, stamps the touched tables with it,
 *   and the written records' ModifyIndex equals it.
 * - The index never decreases and starts above zero, so `X-Consul-Index` is always >= 1.
 * - Change listeners run synchronously after each write, once the write is complete.
 * - The state holds no timers and no clock: TTLs and blocking are the server's job.
 */
import { type IamIdentity } from './acl/iam-identity.js';
import {
  type AclAuthMethod,
  type AclBindingRule,
  type AclPolicy,
  type AclRole,
  type AclToken,
} from './acl/model.js';
import { type CatalogNode, type CatalogService } from './catalog-model.js';
import { type KvEntry } from './kv-model.js';
import { type Namespace } from './namespace-model.js';
import { type Partition } from './partition-model.js';
import { type Session } from './session-model.js';

export type Table =
  | 'acl-tokens'
  | 'acl-policies'
  | 'acl-roles'
  | 'sessions'
  | 'kvs'
  | 'nodes'
  | 'services'
  | 'namespaces'
  | 'partitions'
  | 'acl-auth-methods'
  | 'acl-binding-rules';

export type ChangeListener = (index: number, tables: readonly Table[]) => void;

export class ConsulState {
  private currentIndex = 1;
  private readonly tableIndexes = new Map<Table, number>();
  private readonly listeners = new Set<ChangeListener>();

  readonly tokens = new Map<string, AclToken>();
  readonly policies = new Map<string, AclPolicy>();
  readonly roles = new Map<string, AclRole>();
  /** Auth methods by `partition/namespace/name`. */
  readonly authMethods = new Map<string, AclAuthMethod>();
  readonly bindingRules = new Map<string, AclBindingRule>();
  /**
   * The fake identity check of `aws-iam` logins: what AWS would say of each bearer token (see
   * acl/iam-identity.ts). Filled from the server's `iamIdentities` option and `addIamIdentity`;
   * kept across a restart with this state. A bearer not here fails to log in.
   */
  readonly iamIdentities = new Map<string, IamIdentity>();
  readonly sessions = new Map<string, Session>();
  /** KV entries by scoped key (`partition/namespace/key`). */
  readonly kv = new Map<string, KvEntry>();
  /** The index at which each deleted key was deleted, so blocked readers of it wake up. */
  readonly kvTombstones = new Map<string, number>();
  /** Lock-delay deadlines (ms since epoch) by scoped key. */
  readonly lockDelays = new Map<string, number>();
  readonly nodes = new Map<string, CatalogNode>();
  /** Services by node name, then by service ID. */
  readonly services = new Map<string, Map<string, CatalogService>>();

  /** Enterprise namespaces by `partition/name`. */
  readonly namespaces = new Map<string, Namespace>();
  /** Enterprise admin partitions created through the API, by name (`default` always exists). */
  readonly partitions = new Map<string, Partition>();

  /** The index at which `PUT /v1/acl/bootstrap` succeeded, if it has. */
  bootstrapIndex: number | undefined;
  /** SecretID of the initial management token (never logged). */
  initialManagementSecret: string | undefined;

  /** The latest raft index. */
  get index(): number {
    return this.currentIndex;
  }

  /** The index of the last write to any of `tables` (at least 1). */
  tableIndex(...tables: Table[]): number {
    let max = 1;
    for (const table of tables) max = Math.max(max, this.tableIndexes.get(table) ?? 1);
    return max;
  }

  /** Applies one write: `apply` receives the new index and mutates the maps. */
  write<T>(tables: readonly Table[], apply: (index: number) => T): T {
    const index = this.currentIndex + 1;
    const result = apply(index);
    this.currentIndex = index;
    for (const table of tables) this.tableIndexes.set(table, index);
    for (const listener of [...this.listeners]) listener(index, tables);
    return result;
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
