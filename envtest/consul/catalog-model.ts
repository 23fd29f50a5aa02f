/**
 * Catalog records (nodes and services) as the state store keeps them.
 *
 * Invariants:
 * - A service record always names a node that is registered.
 * - `raw` keeps the registration's Service object as sent, for fields the emulator does not model.
 */
import { type Scope } from './scope.js';

export interface CatalogNode {
  readonly id: string;
  readonly node: string;
  readonly address: string;
  readonly datacenter: string;
  readonly taggedAddresses: Readonly<Record<string, string>>;
  readonly meta: Readonly<Record<string, string>>;
  /** IDs of the node-level health checks registered on the node (the agent node has serfHealth). */
  readonly checks: readonly string[];
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export interface CatalogService {
  readonly node: string;
  readonly id: string;
  readonly service: string;
  readonly tags: readonly string[];
  readonly address: string;
  readonly port: number;
  readonly meta: Readonly<Record<string, string>>;
  readonly kind: string;
  readonly raw: Readonly<Record<string, unknown>>;
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly scope: Scope;
}
