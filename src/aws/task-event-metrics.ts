/**
 * TaskEventMetrics: what the ECS task-event consumer did with each message:
 * `ecs_task_events_total{result}` (applied, stale, ignored, malformed), why ignored ones were
 * ignored, `ecs_task_events_ignored_total{reason}`, and the delay from the change to its
 * application, `ecs_task_event_lag_seconds`; and the service events ("ECS Deployment State Change",
 * "ECS Service Action") the consumer describes services for, `ecs_service_events_total{result}`
 * (applied, ignored, malformed, failed).
 *
 * Invariants: the families are shared per registry (one process may consume several clusters'
 * queues); every series this module knows of exists at zero once it is built.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export type TaskEventResult = 'applied' | 'stale' | 'ignored' | 'malformed';

/** Why an event was ignored: not a task state change, or not exactly our cluster. */
export type TaskEventIgnoredReason =
  'other_detail_type' | 'other_cluster' | 'other_account_or_region' | 'cluster_unverified';

const IGNORED_REASONS: readonly TaskEventIgnoredReason[] = [
  'other_detail_type',
  'other_cluster',
  'other_account_or_region',
  'cluster_unverified',
];

export type ServiceEventResult = 'applied' | 'ignored' | 'malformed' | 'failed';

export class TaskEventMetrics {
  readonly events: Counter<'result'>;
  readonly serviceEvents: Counter<'result'>;
  readonly ignored: Counter<'reason'>;
  readonly lag: Histogram;

  constructor(registry: Registry) {
    const shared = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M) ?? make();
    this.events = shared(
      'ecs_task_events_total',
      () =>
        new Counter({
          name: 'ecs_task_events_total',
          help: 'ECS Task State Change events received, by what was done with them.',
          labelNames: ['result'],
          registers: [registry],
        }),
    );
    this.ignored = shared(
      'ecs_task_events_ignored_total',
      () =>
        new Counter({
          name: 'ecs_task_events_ignored_total',
          help: 'ECS events deleted without effect: other detail types, other clusters, accounts or regions.',
          labelNames: ['reason'],
          registers: [registry],
        }),
    );
    this.lag = shared(
      'ecs_task_event_lag_seconds',
      () =>
        new Histogram({
          name: 'ecs_task_event_lag_seconds',
          help: 'Delay from an ECS task change (detail.updatedAt) to its application to the task cache.',
          buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
          registers: [registry],
        }),
    );
    this.serviceEvents = shared(
      'ecs_service_events_total',
      () =>
        new Counter({
          name: 'ecs_service_events_total',
          help: 'ECS service events (deployment state changes, service actions) received, by what was done with them; failed ones are redelivered.',
          labelNames: ['result'],
          registers: [registry],
        }),
    );
    for (const result of ['applied', 'ignored', 'malformed', 'failed'] as const)
      this.serviceEvents.inc({ result }, 0);
    for (const result of ['applied', 'stale', 'ignored', 'malformed'] as const)
      this.events.inc({ result }, 0);
    for (const reason of IGNORED_REASONS) this.ignored.inc({ reason }, 0);
  }
}
