/**
 * TaskEventMetrics: what the ECS task-event consumer did with each message:
 * `ecs_task_events_total{result}` (applied, stale, ignored, malformed) and the delay from the
 * event's time to its application, `ecs_task_event_lag_seconds`.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export type TaskEventResult = 'applied' | 'stale' | 'ignored' | 'malformed';

export class TaskEventMetrics {
  readonly events: Counter<'result'>;
  readonly lag: Histogram;

  constructor(registry: Registry) {
    this.events = new Counter({
      name: 'ecs_task_events_total',
      help: 'ECS Task State Change events received, by what was done with them.',
      labelNames: ['result'],
      registers: [registry],
    });
    this.lag = new Histogram({
      name: 'ecs_task_event_lag_seconds',
      help: 'Delay from an ECS task event to its application to the task cache.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    });
    for (const result of ['applied', 'stale', 'ignored', 'malformed'] as const)
      this.events.inc({ result }, 0);
  }
}
