/**
 * ControllerMetrics: controller-runtime's `controller_runtime_*` metrics, byte-identical in names,
 * labels, result values and buckets.
 *
 * Invariants: every series of a controller exists from registration on, at zero, including all
 * four `result` values; durations are observed in seconds from the injected clock.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type ReconcileOutcome = 'success' | 'error' | 'requeue' | 'requeue_after';
const OUTCOMES: readonly ReconcileOutcome[] = ['success', 'error', 'requeue', 'requeue_after'];

const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

export interface ControllerMetricsHandle {
  reconciled(outcome: ReconcileOutcome, seconds: number): void;
  failed(terminal: boolean): void;
  panicked(): void;
  workerStarted(): void;
  workerFinished(): void;
}

export class ControllerMetrics {
  private readonly total: Counter<'controller' | 'result'>;
  private readonly errors: Counter<'controller'>;
  private readonly terminalErrors: Counter<'controller'>;
  private readonly panics: Counter<'controller'>;
  private readonly time: Histogram<'controller'>;
  private readonly maxConcurrent: Gauge<'controller'>;
  private readonly activeWorkers: Gauge<'controller'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.total = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.errors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.terminalErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.panics = new Counter({
      name: 'controller_runtime_reconcile_panics_total',
      help: 'Total number of reconciliation panics per controller',
      labelNames: ['controller'],
      registers,
    });
    this.time = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_TIME_BUCKETS,
      registers,
    });
    this.maxConcurrent = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
  }

  forController(controller: string, maxConcurrentReconciles: number): ControllerMetricsHandle {
    const labels = { controller };
    for (const result of OUTCOMES) this.total.inc({ controller, result }, 0);
    this.errors.inc(labels, 0);
    this.terminalErrors.inc(labels, 0);
    this.panics.inc(labels, 0);
    this.time.zero(labels);
    this.maxConcurrent.set(labels, maxConcurrentReconciles);
    this.activeWorkers.set(labels, 0);
    // Label-bound children: thousands of reconciles per resync hash no label object.
    const totals = new Map(OUTCOMES.map((result) => [result, this.total.labels({ controller, result })]));
    const time = this.time.labels(labels);
    const errors = this.errors.labels(labels);
    const terminalErrors = this.terminalErrors.labels(labels);
    const activeWorkers = this.activeWorkers.labels(labels);
    return {
      reconciled: (result, seconds) => {
        (totals.get(result) ?? this.total.labels({ controller, result })).inc();
        time.observe(seconds);
      },
      failed: (terminal) => {
        errors.inc();
        if (terminal) terminalErrors.inc();
      },
      panicked: () => this.panics.inc(labels),
      workerStarted: () => activeWorkers.inc(),
      workerFinished: () => activeWorkers.dec(),
    };
  }
}
