/**
 * KV store: entries, check-and-set, and the session locks leader elections are built on.
 *
 * Invariants:
 * - `acquire` succeeds only when the session exists, the key is not held by another session, and the
 *   key's lock-delay has passed; a new holder increments LockIndex, a re-acquire by the holder does not.
 * - `release` succeeds only for the session holding the key, and clears Session without lock-delay.
 * - A plain PUT keeps the key's lock holder and LockIndex (Consul "retains the lock status").
 * - Every change bumps the global index; deletes leave a tombstone index so blocked readers wake up.
 */
import { rpcError } from './errors.js';
import { type KvEntry } from './kv-model.js';
import { type Scope, scopeKey } from './scope.js';
import { type ConsulState } from './state.js';

export function kvKey(scope: Scope, key: string): string {
  return `${scopeKey(scope)}/${key}`;
}

export function renderKv(entry: KvEntry, enterprise: boolean): Record<string, unknown> {
  return {
    LockIndex: entry.lockIndex,
    Key: entry.key,
    Flags: entry.flags,
    Value: entry.value === null ? null : entry.value.toString('base64'),
    ...(entry.session ? { Session: entry.session } : {}),
    ...(enterprise ? { Namespace: entry.scope.namespace, Partition: entry.scope.partition } : {}),
    CreateIndex: entry.createIndex,
    ModifyIndex: entry.modifyIndex,
  };
}

export function getKv(state: ConsulState, scope: Scope, key: string): KvEntry | undefined {
  return state.kv.get(kvKey(scope, key));
}

export function listKv(state: ConsulState, scope: Scope, prefix: string): KvEntry[] {
  const start = kvKey(scope, prefix);
  return [...state.kv.entries()]
    .filter(([scoped]) => scoped.startsWith(start))
    .map(([, entry]) => entry)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The keys under `prefix`, folded at the first `separator` after the prefix (`?keys&separator=`). */
export function listKeys(state: ConsulState, scope: Scope, prefix: string, separator: string): string[] {
  const keys = new Set<string>();
  for (const entry of listKv(state, scope, prefix)) {
    if (separator === '') {
      keys.add(entry.key);
      continue;
    }
    const cut = entry.key.indexOf(separator, prefix.length);
    keys.add(cut < 0 ? entry.key : entry.key.slice(0, cut + separator.length));
  }
  return [...keys].sort();
}

/** The index a blocked reader of `prefix` (or one exact key) compares against. */
export function kvWatchIndex(state: ConsulState, scope: Scope, prefix: string, exact: boolean): number {
  const start = kvKey(scope, prefix);
  let max = 0;
  for (const [scoped, entry] of state.kv) {
    if (exact ? scoped === start : scoped.startsWith(start)) max = Math.max(max, entry.modifyIndex);
  }
  for (const [scoped, index] of state.kvTombstones) {
    if (exact ? scoped === start : scoped.startsWith(start)) max = Math.max(max, index);
  }
  return max;
}

export interface KvPutOptions {
  readonly flags: number;
  readonly cas?: number;
  readonly acquire?: string;
  readonly release?: string;
  readonly now: number;
}

export function putKv(
  state: ConsulState,
  scope: Scope,
  key: string,
  value: Buffer,
  options: KvPutOptions,
): boolean {
  const scoped = kvKey(scope, key);
  const existing = state.kv.get(scoped);
  if (options.cas !== undefined) {
    if (options.cas === 0 ? existing !== undefined : existing?.modifyIndex !== options.cas) return false;
  }
  if (options.acquire === '' || options.release === '') throw rpcError('missing session');
  let session = existing?.session;
  let lockIndex = existing?.lockIndex ?? 0;
  if (options.acquire !== undefined) {
    if (!state.sessions.has(options.acquire)) throw rpcError(`invalid session "${options.acquire}"`);
    const delayUntil = state.lockDelays.get(scoped);
    if (delayUntil !== undefined && options.now < delayUntil) return false;
    if (existing?.session && existing.session !== options.acquire) return false;
    if (existing?.session !== options.acquire) lockIndex += 1;
    session = options.acquire;
  } else if (options.release !== undefined) {
    if (!existing || existing.session !== options.release) return false;
    session = undefined;
  }
  state.write(['kvs'], (index) => {
    state.kv.set(scoped, {
      key,
      value,
      flags: options.flags,
      ...(session ? { session } : {}),
      lockIndex,
      createIndex: existing?.createIndex ?? index,
      modifyIndex: index,
      scope,
    });
    state.kvTombstones.delete(scoped);
  });
  return true;
}

export function deleteKv(
  state: ConsulState,
  scope: Scope,
  key: string,
  recurse: boolean,
  cas?: number,
): boolean {
  const scoped = kvKey(scope, key);
  if (cas !== undefined && !recurse) {
    const existing = state.kv.get(scoped);
    // Consul's kvsDeleteCASTxn: a missing key counts as deleted.
    if (!existing) return true;
    if (existing.modifyIndex !== cas) return false;
  }
  const doomed = recurse ? [...state.kv.keys()].filter((k) => k.startsWith(scoped)) : [scoped];
  state.write(['kvs'], (index) => {
    for (const k of doomed) {
      if (state.kv.delete(k)) state.kvTombstones.set(k, index);
    }
  });
  return true;
}

/** Applies a session invalidation to the keys it holds (inside the caller's write). */
export function releaseSessionKeys(
  state: ConsulState,
  sessionId: string,
  behavior: 'release' | 'delete',
  lockDelayUntil: number | undefined,
  index: number,
): void {
  for (const [scoped, entry] of [...state.kv]) {
    if (entry.session !== sessionId) continue;
    if (lockDelayUntil !== undefined) state.lockDelays.set(scoped, lockDelayUntil);
    if (behavior === 'delete') {
      state.kv.delete(scoped);
      state.kvTombstones.set(scoped, index);
    } else {
      const { session: _released, ...rest } = entry;
      state.kv.set(scoped, { ...rest, modifyIndex: index });
    }
  }
}
