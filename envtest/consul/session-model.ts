/**
 * Session records as the state store keeps them.
 *
 * Invariants:
 * - `ttl` is the client's TTL string and `ttlMs` its value; both are empty/0 for sessions without TTL.
 * - `lockDelayMs` is applied to every key the session holds when it is invalidated.
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
