/**
 * Running mesh tasks, as the envtest ECS state has them (never through the API): shared by the
 * observer (which services are active) and the deleted-while-running check.
 *
 * Invariants:
 * - A task is a mesh task when it carries `consul.hashicorp.com/mesh` = `true`; its service is its
 *   `consul.hashicorp.com/service-name` tag, else its family.
 * - A task is running while its desiredStatus is RUNNING and its lastStatus is not STOPPED. The
 *   desired status only ever goes from RUNNING to STOPPED, so a running task has been running
 *   since it was created.
 * - `runningForMs(ecs, cluster, service, now)` is the age at `now` of the oldest running mesh task
 *   of `service` in `cluster` (tasks of other clusters never count), 0 when there is none.
 */
import { type Task } from '../../envtest/ecs/model.js';
import { type EcsState } from '../../envtest/ecs/state.js';

const MESH_KEY = 'consul.hashicorp.com/mesh';
const NAME_KEY = 'consul.hashicorp.com/service-name';

export function isMeshTask(task: Task): boolean {
  return task.tags.some((tag) => tag.key === MESH_KEY && tag.value === 'true');
}

export function isRunning(task: Task): boolean {
  return task.desiredStatus === 'RUNNING' && task.lastStatus !== 'STOPPED';
}

/** The Consul service a mesh task is of. */
export function serviceOf(task: Task): string {
  return task.tags.find((tag) => tag.key === NAME_KEY)?.value ?? task.family;
}

export function runningForMs(ecs: EcsState, cluster: string, service: string, now: number): number {
  let oldest: number | undefined;
  for (const task of ecs.tasks.values()) {
    if (task.clusterName !== cluster || !isRunning(task) || !isMeshTask(task)) continue;
    if (serviceOf(task) !== service) continue;
    if (oldest === undefined || task.createdAt < oldest) oldest = task.createdAt;
  }
  return oldest === undefined ? 0 : Math.max(0, now - oldest);
}
