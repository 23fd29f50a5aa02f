/**
 * coalesceMap: like `exhaustMap`, but a value that arrives while the inner observable is busy is
 * not dropped: it is kept (merged with any other waiting value) and runs once the inner one ends.
 *
 * Invariants:
 * - At most one inner observable is subscribed at any time.
 * - Any number of values that arrive during one inner run cause exactly one more run, with the
 *   values merged by `mergeWaiting`.
 * - The `interrupt$` given to `project` emits once when the first such value arrives, so a
 *   long-running inner (a watch loop) can end early and let the waiting run start.
 * - Completes when the source has completed and no run is active or waiting.
 */
import { Observable, type OperatorFunction, Subject, type Subscription } from 'rxjs';

export function coalesceMap<T, R>(
  project: (value: T, interrupt$: Observable<void>) => Observable<R>,
  mergeWaiting: (waiting: T, next: T) => T = (_waiting, next) => next,
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let active: Subscription | undefined;
      let busy = false;
      let interrupt: Subject<void> | undefined;
      let waiting: { value: T } | undefined;
      let sourceDone = false;

      const run = (value: T) => {
        const thisInterrupt = new Subject<void>();
        interrupt = thisInterrupt;
        let finished = false;
        busy = true;
        const inner = project(value, thisInterrupt.asObservable()).subscribe({
          next: (result) => subscriber.next(result),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            finished = true;
            busy = false;
            active = undefined;
            interrupt = undefined;
            if (waiting) {
              const next = waiting.value;
              waiting = undefined;
              run(next);
            } else if (sourceDone) {
              subscriber.complete();
            }
          },
        });
        // An inner that completed synchronously has already cleared (or replaced) `active`.
        if (!finished) active = inner;
      };

      const sourceSubscription = source.subscribe({
        next: (value) => {
          if (!busy) {
            run(value);
            return;
          }
          const first = waiting === undefined;
          waiting = { value: waiting ? mergeWaiting(waiting.value, value) : value };
          if (first) interrupt?.next();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          if (!busy && !waiting) subscriber.complete();
        },
      });

      return () => {
        sourceSubscription.unsubscribe();
        active?.unsubscribe();
      };
    });
}
