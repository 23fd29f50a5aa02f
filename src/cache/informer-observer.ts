/**
 * InformerObserver: the hooks an informer reports through, so metrics and logs stay outside it.
 *
 * Invariants: hooks are called synchronously, after the store changed (`synced`) or after an
 * attempt failed (`failed`); they must not throw and must not call back into the informer.
 */
import { type InformerEvent } from './events.js';

export interface InformerObserver {
  /** A list or watch succeeded and produced `events` (possibly none). */
  synced(informer: string, via: 'list' | 'watch', events: readonly InformerEvent<unknown>[]): void;
  /** A list or watch failed; the loop restarts after `retryInMs`. */
  failed(informer: string, error: unknown, attempt: number, retryInMs: number): void;
}

export const NO_INFORMER_OBSERVER: InformerObserver = {
  synced: () => undefined,
  failed: () => undefined,
};

/** An observer that forwards every hook to each of `observers`, in order. */
export function combineInformerObservers(...observers: InformerObserver[]): InformerObserver {
  return {
    synced: (informer, via, events) =>
      observers.forEach((observer) => observer.synced(informer, via, events)),
    failed: (informer, error, attempt, retryInMs) =>
      observers.forEach((observer) => observer.failed(informer, error, attempt, retryInMs)),
  };
}
