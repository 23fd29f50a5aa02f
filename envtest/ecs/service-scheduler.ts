/**
 * ServiceScheduler: keeps a service's tasks in line with its desired count and task definition.
 *
 * Invariants:
 * - After `reconcileService`, the service has exactly `desiredCount` tasks with desiredStatus
 *   RUNNING (0 unless the service is ACTIVE), all on the service's current task definition.
 * - Tasks on an older task definition are stopped and replaced (a one-step deployment).
 * - Service tasks have group `service:<name>` and startedBy the service's deployment id.
 * - While the service's launches are throttled (`launchBlockedUntil` after failed launches), no
 *   task is started; the state reconciles again when the gap ends.
 */
import { type Clock } from '../../src/time/clock.js';
import {
  type Cluster,
  type PropagateTags,
  type Service,
  type Tag,
  type Task,
  type TaskDefinition,
} from './model.js';

export interface LaunchRequest {
  readonly cluster: Cluster;
  readonly taskDefinition: TaskDefinition;
  readonly count: number;
  readonly launchType: string;
  readonly group?: string;
  readonly startedBy?: string;
  readonly tags: readonly Tag[];
  readonly propagateTags?: PropagateTags;
  readonly service?: Service;
  /** RunTask's idempotency token: a repeated token in the same cluster returns the same tasks. */
  readonly clientToken?: string;
}

/** What the scheduler needs of the ECS state (EcsState provides it). */
export interface ServiceSchedulerHost {
  readonly clock: Clock;
  readonly clusters: ReadonlyMap<string, Cluster>;
  readonly taskDefinitions: ReadonlyMap<string, TaskDefinition>;
  liveTasksOf(service: Service): Task[];
  stopTask(task: Task, reason: string, stopCode: string): void;
  launchTasks(request: LaunchRequest): Task[];
}

export function reconcileService(state: ServiceSchedulerHost, service: Service): void {
  const target = service.status === 'ACTIVE' ? service.desiredCount : 0;
  for (const task of state.liveTasksOf(service)) {
    if (task.taskDefinitionArn !== service.taskDefinitionArn) {
      state.stopTask(
        task,
        `Deployment ${service.deploymentId} replaced this task.`,
        'ServiceSchedulerInitiated',
      );
    }
  }
  const live = state.liveTasksOf(service);
  for (const task of live.slice(target)) {
    state.stopTask(
      task,
      `Scaling activity initiated by (deployment ${service.deploymentId})`,
      'ServiceSchedulerInitiated',
    );
  }
  const missing = target - live.length;
  if (missing <= 0) return;
  if (service.launchBlockedUntil !== undefined && state.clock.now() < service.launchBlockedUntil) return;
  const cluster = state.clusters.get(service.clusterName);
  const taskDefinition = state.taskDefinitions.get(service.taskDefinitionArn);
  if (!cluster || !taskDefinition) return;
  state.launchTasks({
    cluster,
    taskDefinition,
    count: missing,
    launchType: service.launchType,
    group: `service:${service.name}`,
    startedBy: service.deploymentId,
    tags: [],
    propagateTags: service.propagateTags,
    service,
  });
}
