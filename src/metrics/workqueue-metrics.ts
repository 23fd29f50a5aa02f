/**
 * WorkQueueMetrics: controller-runtime's `workqueue_*` metrics, byte-identical in names, labels
 * and buckets, fed by each queue's observer hooks and the injected clock.
 *
 * Invariants:
 * - `workqueue_depth` rises when a key becomes dirty and falls when a worker takes it.
 * - Queue duration is measured from the first add of a key to the get that takes it; work
 *   duration from that get to `done`.
 * - The unfinished-work and longest-processor gauges are computed at scrape time from the keys in
 *   flight, not by a timer.
 */
import { Counter, Gauge, Histogram, exponentialBuckets, type Registry } from 'prom-client';

import { type Clock } from '../time/clock.js';
import { type QueueObserver } from '../workqueue/queue-observer.js';

const LABELS = ['name', 'controller'] as const;
const BUCKETS = exponentialBuckets(10e-9, 10, 12);

export class WorkQueueMetrics {
  private readonly depth: Gauge<'name' | 'controller' | 'priority'>;
  private readonly adds: Counter<'name' | 'controller'>;
  private readonly latency: Histogram<'name' | 'controller'>;
  private readonly workDuration: Histogram<'name' | 'controller'>;
  private readonly retries: Counter<'name' | 'controller'>;
  private readonly inFlight = new Map<string, Map<string, number>>();

  constructor(
    registry: Registry,
    private readonly clock: Clock,
  ) {
    const registers = [registry];
    this.depth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue by workqueue and priority',
      labelNames: ['name', 'controller', 'priority'],
      registers,
    });
    this.adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: LABELS,
      registers,
    });
    this.latency = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: LABELS,
      buckets: BUCKETS,
      registers,
    });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: LABELS,
      buckets: BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: LABELS,
      registers,
    });
    const inFlight = this.inFlight;
    const now = () => this.clock.now();
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help:
        "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. " +
        'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      labelNames: LABELS,
      registers,
      collect() {
        for (const [name, started] of inFlight) {
          let total = 0;
          for (const at of started.values()) total += now() - at;
          this.set({ name, controller: name }, total / 1000);
        }
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: LABELS,
      registers,
      collect() {
        for (const [name, started] of inFlight) {
          let oldest = 0;
          for (const at of started.values()) oldest = Math.max(oldest, now() - at);
          this.set({ name, controller: name }, oldest / 1000);
        }
      },
    });
  }

  /** The observer for the queue of controller `name`; its series exist (at zero) from now on. */
  forQueue(name: string): QueueObserver {
    const labels = { name, controller: name };
    const addedAt = new Map<string, number>();
    const startedAt = new Map<string, number>();
    this.inFlight.set(name, startedAt);
    this.depth.set({ ...labels, priority: '' }, 0);
    this.adds.inc(labels, 0);
    this.retries.inc(labels, 0);
    this.latency.zero(labels);
    this.workDuration.zero(labels);
    // Label-bound children: a hot queue (thousands of adds per resync) hashes no label object.
    const depth = this.depth.labels({ ...labels, priority: '' });
    const adds = this.adds.labels(labels);
    const latency = this.latency.labels(labels);
    const workDuration = this.workDuration.labels(labels);
    const retries = this.retries.labels(labels);
    return {
      added: (key) => {
        depth.inc();
        adds.inc();
        if (!addedAt.has(key)) addedAt.set(key, this.clock.now());
      },
      started: (key) => {
        depth.dec();
        const now = this.clock.now();
        latency.observe((now - (addedAt.get(key) ?? now)) / 1000);
        addedAt.delete(key);
        startedAt.set(key, now);
      },
      finished: (key) => {
        const now = this.clock.now();
        workDuration.observe((now - (startedAt.get(key) ?? now)) / 1000);
        startedAt.delete(key);
      },
      retried: () => retries.inc(),
    };
  }
}
