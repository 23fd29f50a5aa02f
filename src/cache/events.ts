/**
 * Informer events: what an informer tells its handlers after it updated its store.
 *
 * - `added`: the key was not in the store.
 * - `updated`: the key was in the store and the object's version changed; `old` is the previous one.
 * - `deleted`: the key left the store; `obj` is the last state the informer knew.
 * - `resync`: a periodic resync found the object unchanged; handlers may reconcile it again.
 */
export type InformerEvent<T> =
  | { readonly type: 'added'; readonly key: string; readonly obj: T }
  | { readonly type: 'updated'; readonly key: string; readonly obj: T; readonly old: T }
  | { readonly type: 'deleted'; readonly key: string; readonly obj: T }
  | { readonly type: 'resync'; readonly key: string; readonly obj: T };

export type InformerEventType = InformerEvent<unknown>['type'];
