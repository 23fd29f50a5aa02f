/**
 * InformerMetrics: Prometheus metrics for informers, fed by their observer hooks and read from
 * their state at scrape time.
 *
 * Invariants:
 * - `informer_last_sync_timestamp_seconds` is the clock time of the last successful list or
 *   watch (0 before the first); `informer_synced` is 1 once the first list succeeded.
 * - Gauges are computed in `collect()`, never by a timer. Labels are bounded: informer name and
 *   event type only, never an object key.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

import { type InformerEvent } from '../cache/events.js';
import { type InformerObserver } from '../cache/informer-observer.js';

export interface InformerState {
  readonly name: string;
  readonly lastSyncAt: number | undefined;
  readonly store: { readonly size: number };
  hasSynced(): boolean;
}

export class InformerMetrics implements InformerObserver {
  private readonly informers = new Map<string, InformerState>();
  private readonly events: Counter<'informer' | 'type'>;
  private readonly failures: Counter<'informer'>;
  private readonly lists: Counter<'informer' | 'via'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const informers = this.informers;
    this.events = new Counter({
      name: 'informer_events_total',
      help: 'Events emitted by an informer, by type (added, updated, deleted, resync).',
      labelNames: ['informer', 'type'],
      registers,
    });
    this.failures = new Counter({
      name: 'informer_list_errors_total',
      help: 'Failed list or watch attempts of an informer.',
      labelNames: ['informer'],
      registers,
    });
    this.lists = new Counter({
      name: 'informer_syncs_total',
      help: 'Successful lists and watch results applied by an informer.',
      labelNames: ['informer', 'via'],
      registers,
    });
    new Gauge({
      name: 'informer_last_sync_timestamp_seconds',
      help: 'Unix time of the last successful list or watch of an informer (0 before the first).',
      labelNames: ['informer'],
      registers,
      collect() {
        for (const informer of informers.values()) {
          this.set({ informer: informer.name }, (informer.lastSyncAt ?? 0) / 1000);
        }
      },
    });
    new Gauge({
      name: 'informer_synced',
      help: '1 once the informer has completed its first full list.',
      labelNames: ['informer'],
      registers,
      collect() {
        for (const informer of informers.values())
          this.set({ informer: informer.name }, informer.hasSynced() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'informer_objects',
      help: 'Objects held in the informer cache.',
      labelNames: ['informer'],
      registers,
      collect() {
        for (const informer of informers.values()) this.set({ informer: informer.name }, informer.store.size);
      },
    });
  }

  /** Reports `informer` on every scrape from now on. */
  track(informer: InformerState): void {
    this.informers.set(informer.name, informer);
    this.failures.inc({ informer: informer.name }, 0);
  }

  synced(informer: string, via: 'list' | 'watch', events: readonly InformerEvent<unknown>[]): void {
    this.lists.inc({ informer, via });
    for (const event of events) this.events.inc({ informer, type: event.type });
  }

  failed(informer: string): void {
    this.failures.inc({ informer });
  }
}
