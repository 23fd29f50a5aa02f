/**
 * fromAbortable: an Observable of one async call that is aborted when the subscriber leaves.
 *
 * Invariants: the call starts on subscription (once per subscriber), emits its result and
 * completes, or errors; unsubscribing before it settles aborts its signal and drops the result.
 */
import { Observable } from 'rxjs';

export function fromAbortable<T>(call: (signal: AbortSignal) => Promise<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    call(controller.signal).then(
      (value) => {
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => subscriber.error(error),
    );
    return () => controller.abort(new Error('unsubscribed'));
  });
}
