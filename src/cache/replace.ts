/**
 * replaceStore: applies a full snapshot to a store and returns the events it implies, in the order
 * client-go's `processReplacedAllInfo` delivers them.
 *
 * Invariants:
 * - The store is fully replaced before the events are returned, so a handler that reads the store
 *   while handling an event sees the state the event describes.
 * - All deletions come first (in store order), then adds and updates in snapshot order.
 * - An object whose version did not change gives no event, unless `resync` is set; then it gives
 *   a `resync` event.
 * - A snapshot that names one key twice keeps the last object for it.
 * - Keys in `keep` are left exactly as the store has them: a snapshot taken before a newer
 *   direct update (an event) must not undo it.
 */
import { type InformerEvent } from './events.js';
import { type Store } from './store.js';

export function replaceStore<T>(
  store: Store<T>,
  snapshot: readonly T[],
  versionOf: (obj: T) => string,
  resync: boolean,
  keep: ReadonlySet<string> = new Set(),
): InformerEvent<T>[] {
  const incoming = new Map<string, T>();
  for (const obj of snapshot) incoming.set(store.keyOf(obj), obj);

  const events: InformerEvent<T>[] = [];
  for (const key of keep) incoming.delete(key);
  for (const key of store.keys()) {
    if (incoming.has(key) || keep.has(key)) continue;
    const last = store.delete(key) as T;
    events.push({ type: 'deleted', key, obj: last });
  }
  for (const [key, obj] of incoming) {
    const old = store.upsert(obj);
    if (old === undefined) events.push({ type: 'added', key, obj });
    else if (versionOf(old) !== versionOf(obj)) events.push({ type: 'updated', key, obj, old });
    else if (resync) events.push({ type: 'resync', key, obj });
  }
  return events;
}
