/**
 * Create, update and delete shared by the stored ACL objects that carry validated fields and a
 * content hash (policies and roles).
 *
 * Invariants:
 * - Validation runs before the write; the write bumps the object's table index.
 * - `hash` is the content hash of the validated fields only.
 */
import { type Scope } from '../scope.js';
import { type Table } from '../state.js';
import { type AclContext, contentHash, rejectMissingDelete } from './context.js';

interface Stored {
  readonly id: string;
  readonly hash: string;
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly scope: Scope;
}

/** Where one kind of object lives: its table and its map in the state. */
export interface ObjectStore<T extends Stored> {
  readonly kind: 'policy' | 'role';
  readonly table: Table;
  readonly items: Map<string, T>;
}

type Fields<T extends Stored> = Omit<T, keyof Stored>;

/** Stores a new object with a fresh ID; `fields` are already validated. */
export function insertObject<T extends Stored>(
  ctx: AclContext,
  store: ObjectStore<T>,
  fields: Fields<T>,
  scope: Scope,
): T {
  const id = ctx.newId();
  return ctx.state.write([store.table], (index) => {
    const value = {
      id,
      ...fields,
      hash: contentHash(fields),
      createIndex: index,
      modifyIndex: index,
      scope,
    } as T;
    store.items.set(id, value);
    return value;
  });
}

/** Replaces the fields of `existing`; `fields` are already validated. */
export function replaceObject<T extends Stored>(
  ctx: AclContext,
  store: ObjectStore<T>,
  id: string,
  existing: T,
  fields: Fields<T>,
): T {
  return ctx.state.write([store.table], (index) => {
    const value: T = { ...existing, ...fields, hash: contentHash(fields), modifyIndex: index };
    store.items.set(id, value);
    return value;
  });
}

/** Deletes `existing` if found; a missing one is an error on 1.15 and a no-op on 1.14. */
export function removeObject<T extends Stored>(
  ctx: AclContext,
  store: ObjectStore<T>,
  id: string,
  existing: T | undefined,
): T | undefined {
  if (!existing) {
    rejectMissingDelete(ctx, store.kind);
    return undefined;
  }
  ctx.state.write([store.table], () => {
    store.items.delete(id);
  });
  return existing;
}
