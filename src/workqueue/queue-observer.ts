/**
 * QueueObserver: the hooks a work queue reports through (client-go's `queueMetrics`).
 *
 * Invariants: hooks fire only on real state transitions. A deduplicated add fires nothing;
 * `added` fires when a key becomes dirty, `started` when a worker takes it, `finished` on `done`.
 */
export interface QueueObserver {
  added(key: string): void;
  started(key: string): void;
  finished(key: string): void;
  retried(key: string): void;
}

export const NO_QUEUE_OBSERVER: QueueObserver = {
  added: () => undefined,
  started: () => undefined,
  finished: () => undefined,
  retried: () => undefined,
};
