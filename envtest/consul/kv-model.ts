/**
 * KV records as the state store keeps them.
 *
 * Invariants:
 * - A KV entry's `session` is set only while that session exists (invalidation clears or deletes it).
 * - `lockIndex` counts successful acquisitions of the key; it never decreases.
 */
import { type Scope } from './scope.js';

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
