/**
 * Informer: turns a list function (and, where the source has one, a blocking watch function) into
 * a store, a stream of events, and a synced signal (client-go's reflector + shared informer).
 *
 * Invariants:
 * - Nothing runs until someone subscribes; all subscribers share one list/watch loop, and when the
 *   last one unsubscribes every timer and in-flight call is torn down (`share`, not `shareReplay`).
 * - Every list is a full replace: the store is updated first, then deletions are emitted, then
 *   adds and updates. An update is emitted only when the object's version changed.
 * - A resync (every `resyncPeriodMs`) re-emits each unchanged object as `resync`. Without a watch
 *   it relists first; with a watch it does not (the watch already keeps the store current), so a
 *   watched source costs no list calls in steady state.
 * - Without a watch, the source is relisted every `pollPeriodMs`; with one, each watch result is
 *   applied like a list and the next watch starts from its resource version, no sooner than
 *   `minWatchIntervalMs` after the previous one returned (a busy source whose every change ends a
 *   blocking query would otherwise be downloaded in full once per change).
 * - `trigger()` calls that arrive in the same tick collapse into one relist, and triggers that
 *   arrive while a list is in flight cause exactly one more list after it.
 * - Any error restarts the loop by itself after a capped, jittered exponential backoff; the attempt
 *   counter resets after a successful list or watch. Errors never reach subscribers.
 * - A subscriber to `events$` first receives the current store content as `added` events.
 * - `upsert`/`remove` apply single changes from another source (events) between lists. They never
 *   go backwards: an object older than the stored one (by `isNewer`) or than a removal's
 *   tombstone is dropped.
 * - A list is authoritative for every key (client-go's Replace), with one exception: a key that an
 *   `upsert`/`remove` changed *while that list was in flight*, to a version newer than the list's
 *   answer for it (or to any version, when the list has no answer for it), keeps the event's state
 *   for that list; the next list is authoritative for it again. The set of keys touched during a
 *   list is emptied when each list starts and when it ends, so it holds only the keys touched by
 *   the one list in flight (memory stays flat however many events arrive), and an event, right or
 *   wrong, never outlives the next list.
 * - `listCount` counts the full lists applied so far, so a caller can ask for "a list that
 *   completed after I noticed X" (see the garbage collector).
 */
import {
  auditTime,
  BehaviorSubject,
  concat,
  defer,
  distinctUntilChanged,
  EMPTY,
  filter,
  finalize,
  from,
  interval,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  repeat,
  retry,
  type SchedulerLike,
  share,
  type Subscription,
  Subject,
  take,
  takeUntil,
  timer,
} from 'rxjs';

import { coalesceMap } from '../rx/coalesce-map.js';
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from '../time/backoff.js';
import { type Random } from '../time/clock.js';
import { type InformerEvent } from './events.js';
import { NO_INFORMER_OBSERVER, type InformerObserver } from './informer-observer.js';
import { replaceStore } from './replace.js';
import { type IndexFunc, Store } from './store.js';

/** One full snapshot of a source, with the version to watch from when the source has watches. */
export interface ListResult<T> {
  readonly items: readonly T[];
  readonly resourceVersion?: string;
}

export interface InformerOptions<T> {
  /** Unique name, used in metrics and logs. */
  readonly name: string;
  /** The controller group (e.g. ECS cluster) that needs it; absent when every group does. */
  readonly group?: string;
  /** Lists the whole source; emits one snapshot (further values are ignored). */
  readonly list: () => Observable<ListResult<T>>;
  /** Blocks until the source changed after `resourceVersion` (or a timeout), then emits a full snapshot. */
  readonly watch?: (resourceVersion: string) => Observable<ListResult<T>>;
  readonly keyOf: (obj: T) => string;
  /** An opaque version that changes whenever the object does (ECS `version`, Consul `ModifyIndex`). */
  readonly versionOf: (obj: T) => string;
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  /**
   * Re-emit unchanged objects as `resync` this often (a source without a watch relists first; a
   * watched one re-emits its cache); 0 or absent disables resync.
   */
  readonly resyncPeriodMs?: number;
  /** For watched sources: the least time between a watch's return and the next watch (default 0). */
  readonly minWatchIntervalMs?: number;
  /** For sources without a watch: relist this often; 0 or absent relists only on trigger/resync. */
  readonly pollPeriodMs?: number;
  readonly backoff?: BackoffOptions;
  readonly scheduler: SchedulerLike;
  readonly random?: Random;
  readonly observer?: InformerObserver;
  /** Orders versions for `upsert`/`remove`; by default any different version counts as newer. */
  readonly isNewer?: (incoming: string, current: string) => boolean;
  /**
   * Whether the group's controllers wait for this informer's first sync before they start
   * (default true). An informer that only refines decisions can say false; its users then check
   * `hasSynced()` before acting on its absence of data.
   */
  readonly gatesStart?: boolean;
}

/** How many removals `remove` remembers, to drop stale events for removed keys. */
const TOMBSTONES = 10_000;

type RelistKind = 'list' | 'resync';

export class Informer<T> {
  readonly name: string;
  /** The manager's controller group whose controllers wait for it to sync; "" when shared. */
  readonly group: string;
  readonly store: Store<T>;
  /** Emits every event, after the store has been updated. Late subscribers get the store as adds. */
  readonly events$: Observable<InformerEvent<T>>;
  /** True from the first successful list on. */
  readonly synced$: Observable<boolean>;
  /** Whether the group's controllers wait for this informer's first sync (see InformerOptions). */
  readonly gatesStart: boolean;

  private readonly synced = new BehaviorSubject(false);
  private readonly triggers = new Subject<void>();
  private readonly direct = new Subject<InformerEvent<T>>();
  /** Keys an event changed while the list in flight was running, with the event's version. */
  private readonly touchedDuringList = new Map<string, string>();
  private listInFlight = false;
  private lists = 0;
  /** Lists started so far, and who waits for a list numbered at least `after + 1` to be applied. */
  private listsStarted = 0;
  private currentList = 0;
  private readonly relistWaiters = new Set<{ readonly after: number; readonly resolve: () => void }>();
  private readonly tombstones = new Map<string, string>();
  private readonly loop$: Observable<InformerEvent<T>>;
  private readonly observer: InformerObserver;
  private failures = 0;
  private lastSyncMs: number | undefined;
  private resourceVersion: string | undefined;

  constructor(private readonly options: InformerOptions<T>) {
    this.name = options.name;
    this.group = options.group ?? '';
    this.gatesStart = options.gatesStart ?? true;
    this.observer = options.observer ?? NO_INFORMER_OBSERVER;
    this.store = new Store(options.keyOf, options.indexers);
    this.synced$ = this.synced.pipe(distinctUntilChanged());
    this.loop$ = defer(() => merge(this.restartingLoop$(), this.watchedResyncs$(), this.direct)).pipe(
      share(),
    );
    this.events$ = defer(() => concat(from(this.storeAsAdds()), this.loop$));
  }

  /** Runs the list/watch loop without consuming events (for the manager). */
  run(): Subscription {
    return this.loop$.subscribe();
  }

  /** Relists as soon as possible; calls in the same tick collapse into one relist. */
  trigger(): void {
    this.triggers.next();
  }

  /**
   * Relists, and resolves once a list that started after this call has been applied (errors are
   * retried by the loop meanwhile); rejects when `signal` aborts first. For a new leader, which
   * must act on the truth, not on a cache that was warm but possibly behind.
   */
  relistNow(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = { after: this.listsStarted, resolve: () => done(resolve) };
      const onAbort = () => done(() => reject(signal.reason));
      const done = (settle: () => void) => {
        this.relistWaiters.delete(waiter);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.relistWaiters.add(waiter);
      this.trigger();
    });
  }

  /**
   * Applies one object from another source (an event). Returns false, changing nothing, when
   * the object is not newer than the stored one or than a tombstone for its key.
   */
  upsert(obj: T): boolean {
    const key = this.store.keyOf(obj);
    const version = this.options.versionOf(obj);
    const tombstone = this.tombstones.get(key);
    if (tombstone !== undefined && !this.newer(version, tombstone)) return false;
    const current = this.store.get(key);
    if (current !== undefined && !this.newer(version, this.options.versionOf(current))) return false;
    this.tombstones.delete(key);
    this.store.upsert(obj);
    if (this.listInFlight) this.touchedDuringList.set(key, version);
    const event: InformerEvent<T> =
      current === undefined ? { type: 'added', key, obj } : { type: 'updated', key, obj, old: current };
    this.observer.synced(this.name, 'watch', [event]);
    this.direct.next(event);
    return true;
  }

  /**
   * Removes a key because another source said it is gone, at `version`. Later `upsert`s of the
   * key with a version that is not newer are dropped. Returns false if nothing changed.
   */
  remove(key: string, version: string): boolean {
    const current = this.store.get(key);
    if (current !== undefined && !this.newer(version, this.options.versionOf(current))) return false;
    this.tombstones.delete(key);
    this.tombstones.set(key, version);
    if (this.tombstones.size > TOMBSTONES)
      this.tombstones.delete(this.tombstones.keys().next().value as string);
    if (this.listInFlight) this.touchedDuringList.set(key, version);
    if (current === undefined) return false;
    this.store.delete(key);
    const event: InformerEvent<T> = { type: 'deleted', key, obj: current };
    this.observer.synced(this.name, 'watch', [event]);
    this.direct.next(event);
    return true;
  }

  private newer(incoming: string, current: string): boolean {
    return this.options.isNewer ? this.options.isNewer(incoming, current) : incoming !== current;
  }

  hasSynced(): boolean {
    return this.synced.value;
  }

  /** Resolves at the first sync (at once when synced); rejects with the signal's reason if it aborts first. */
  whenSynced(signal?: AbortSignal): Promise<void> {
    if (this.synced.value) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        subscription.unsubscribe();
        reject(signal?.reason);
      };
      const subscription = this.synced.pipe(filter(Boolean), take(1)).subscribe(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** How many full lists have been applied (watch results do not count). */
  get listCount(): number {
    return this.lists;
  }

  /** How many keys events touched during the list in flight (empty between lists). */
  get touchedKeyCount(): number {
    return this.touchedDuringList.size;
  }

  /** When the last list or watch succeeded, in clock milliseconds. */
  get lastSyncAt(): number | undefined {
    return this.lastSyncMs;
  }

  /** Consecutive failed list or watch attempts since the last success. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  private restartingLoop$(): Observable<InformerEvent<T>> {
    const { scheduler, backoff = DEFAULT_BACKOFF, random = Math.random } = this.options;
    return this.relistRequests$().pipe(
      coalesceMap(
        (kind, interrupt$) => this.relist$(kind, interrupt$),
        (waiting, next) => (waiting === 'resync' ? waiting : next),
      ),
      retry({
        delay: (error: unknown) => {
          this.failures += 1;
          const delayMs = backoffDelay(this.failures, backoff, random);
          this.observer.failed(this.name, error, this.failures, delayMs);
          return timer(delayMs, scheduler);
        },
      }),
    );
  }

  private relistRequests$(): Observable<RelistKind> {
    const { scheduler, resyncPeriodMs, pollPeriodMs, watch } = this.options;
    const requests: Observable<RelistKind>[] = [
      of<RelistKind>('list'),
      this.triggers.pipe(
        auditTime(0, scheduler),
        map((): RelistKind => 'list'),
      ),
    ];
    if (resyncPeriodMs && !watch) {
      requests.push(interval(resyncPeriodMs, scheduler).pipe(map((): RelistKind => 'resync')));
    }
    if (!watch && pollPeriodMs) {
      requests.push(interval(pollPeriodMs, scheduler).pipe(map((): RelistKind => 'list')));
    }
    return merge(...requests);
  }

  private relist$(kind: RelistKind, interrupt$: Observable<void>): Observable<InformerEvent<T>> {
    const listed$ = defer(() => {
      this.touchedDuringList.clear();
      this.listInFlight = true;
      this.listsStarted += 1;
      this.currentList = this.listsStarted;
      return this.options.list();
    }).pipe(
      take(1),
      mergeMap((result) => from(this.apply(result, kind === 'resync', 'list'))),
      finalize(() => {
        this.listInFlight = false;
        this.touchedDuringList.clear();
      }),
    );
    const { watch, minWatchIntervalMs = 0, scheduler } = this.options;
    if (!watch) return listed$;
    const watching$ = defer(() => watch(this.resourceVersion ?? '0')).pipe(
      take(1),
      mergeMap((result) => from(this.apply(result, false, 'watch'))),
      repeat(minWatchIntervalMs > 0 ? { delay: () => timer(minWatchIntervalMs, scheduler) } : {}),
      takeUntil(interrupt$),
    );
    return concat(listed$, watching$);
  }

  private apply(result: ListResult<T>, resync: boolean, via: 'list' | 'watch'): InformerEvent<T>[] {
    const keep = via === 'list' ? this.newerThanList(result.items) : new Set<string>();
    const events = replaceStore(this.store, result.items, this.options.versionOf, resync, keep);
    if (via === 'list') {
      this.lists += 1;
      for (const waiter of [...this.relistWaiters]) if (this.currentList > waiter.after) waiter.resolve();
    }
    this.resourceVersion = result.resourceVersion;
    this.failures = 0;
    this.lastSyncMs = this.options.scheduler.now();
    if (!this.synced.value) this.synced.next(true);
    this.observer.synced(this.name, via, events);
    return events;
  }

  /** The keys an event changed during this list to a version newer than the list's answer. */
  private newerThanList(items: readonly T[]): Set<string> {
    const keep = new Set<string>();
    if (this.touchedDuringList.size === 0) return keep;
    const listed = new Map<string, string>();
    for (const item of items) {
      const key = this.store.keyOf(item);
      if (this.touchedDuringList.has(key)) listed.set(key, this.options.versionOf(item));
    }
    for (const [key, version] of this.touchedDuringList) {
      const answer = listed.get(key);
      if (answer === undefined || this.newer(version, answer)) keep.add(key);
    }
    return keep;
  }

  /** For watched sources: every resync period, the store's objects as `resync` events. */
  private watchedResyncs$(): Observable<InformerEvent<T>> {
    const { resyncPeriodMs, watch, scheduler } = this.options;
    if (!resyncPeriodMs || !watch) return EMPTY;
    return interval(resyncPeriodMs, scheduler).pipe(
      mergeMap(() =>
        from(
          this.store
            .list()
            .map((obj): InformerEvent<T> => ({ type: 'resync', key: this.store.keyOf(obj), obj })),
        ),
      ),
    );
  }

  private storeAsAdds(): InformerEvent<T>[] {
    return this.store.list().map((obj) => ({ type: 'added', key: this.store.keyOf(obj), obj }));
  }
}
