/**
 * Session, KV and catalog records as the state store keeps them.
 *
 * Invariants:
 * - A KV entry's `session` is set only while that session exists (invalidation clears or deletes it).
 * - `lockIndex` counts successful acquisitions of the key; it never decreases.
 */
import { type Scope } from './scope.js';

export type SessionBehavior = 'release' | 'delete';

export interface Session {
  readonly id: string;
  readonly name: string;
  readonly node: string;
  readonly lockDelayMs: number;
  readonly behavior: SessionBehavior;
  /** The TTL as the client sent it ("15s"), or "" for none. */
  readonly ttl: string;
  readonly ttlMs: number;
  readonly nodeChecks: readonly string[];
  readonly serviceChecks: readonly { ID: string; Namespace?: string }[];
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly scope: Scope;
}

export interface KvEntry {
  readonly key: string;
  readonly value: Buffer | null;
  readonly flags: number;
  readonly session?: string;
  readonly lockIndex: number;
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly scope: Scope;
}

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
