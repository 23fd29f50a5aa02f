/**
 * Watch: connects an event source to a controller's queue (controller-runtime's source + handler).
 *
 * Invariants: `toKeys` maps one event to the keys it concerns (none, one or several, e.g. a task
 * to its service name); it must be pure and fast, because it runs for every event. A `toKeys`
 * that throws loses that one event's keys, never the stream.
 */
import { type Observable } from 'rxjs';

import { type InformerEvent } from '../cache/events.js';

export interface Watch<T = unknown> {
  readonly source: Observable<InformerEvent<T>>;
  readonly toKeys: (event: InformerEvent<T>) => Iterable<string>;
}

/** A watch whose events map to their own store key. */
export function watchOwnKeys<T>(source: Observable<InformerEvent<T>>): Watch<T> {
  return { source, toKeys: (event) => [event.key] };
}

/** A watch of any object type, for lists that mix several sources. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyWatch = Watch<any>;
