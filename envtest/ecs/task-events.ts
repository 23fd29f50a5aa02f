/**
 * TaskEvents: the EventBridge "ECS Task State Change" event for a task, in AWS's shape.
 *
 * Invariants:
 * - The envelope is exactly AWS's: version "0", a fresh UUID id, detail-type "ECS Task State
 *   Change", source "aws.ecs", account, region, `time` in whole seconds (ISO, `Z`), resources
 *   [taskArn].
 * - `detail` resembles DescribeTasks' task, with ISO-8601 timestamps (ms precision) instead of
 *   epoch numbers, no tags and no health status, as the ECS documentation describes.
 * - `detail.version` is the task's version at the change, so duplicates carry the same version.
 * - Optional fields (startedBy, startedAt, stoppedAt, stoppedReason, stopCode…) are present only
 *   once the task has them.
 */
import { type Task } from './model.js';

export const TASK_STATE_CHANGE = 'ECS Task State Change';

/** An EventBridge event of ECS, as delivered (the envelope AWS documents). */
export interface EcsEvent<DetailType extends string> {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': DetailType;
  readonly source: 'aws.ecs';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export type TaskStateChangeEvent = EcsEvent<typeof TASK_STATE_CHANGE>;

export interface EventContext {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  /** Server clock time of the change, ms since the epoch. */
  readonly now: number;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** An event's `time`: whole seconds, ISO, `Z`. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Drops undefined fields, so absent values are absent keys (as in AWS's JSON). */
function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

export function taskStateChangeEvent(task: Task, context: EventContext): TaskStateChangeEvent {
  const fargate = task.launchType === 'FARGATE';
  const detail = defined({
    attachments: [],
    availabilityZone: `${context.region}a`,
    clusterArn: task.clusterArn,
    connectivity: task.lastStatus === 'PROVISIONING' ? undefined : 'CONNECTED',
    containers: task.containers.map((container) => ({
      containerArn: container.arn,
      lastStatus: container.lastStatus,
      name: container.name,
      image: container.image,
      taskArn: task.arn,
      networkInterfaces: [],
      cpu: '0',
    })),
    cpu: task.cpu,
    memory: task.memory,
    createdAt: iso(task.createdAt),
    desiredStatus: task.desiredStatus,
    group: task.group,
    launchType: task.launchType,
    lastStatus: task.lastStatus,
    overrides: { containerOverrides: task.containers.map((container) => ({ name: container.name })) },
    platformVersion: fargate ? '1.4.0' : undefined,
    pullStartedAt: iso(task.pullStartedAt),
    pullStoppedAt: iso(task.pullStoppedAt),
    startedAt: iso(task.startedAt),
    startedBy: task.startedBy,
    stoppingAt: iso(task.stoppingAt),
    stoppedAt: iso(task.stoppedAt),
    executionStoppedAt: iso(task.stoppedAt),
    stoppedReason: task.stoppedReason,
    stopCode: task.stopCode,
    taskArn: task.arn,
    taskDefinitionArn: task.taskDefinitionArn,
    updatedAt: iso(context.now),
    version: task.version,
  });
  return {
    version: '0',
    id: context.id,
    'detail-type': TASK_STATE_CHANGE,
    source: 'aws.ecs',
    account: context.account,
    time: isoSeconds(context.now),
    region: context.region,
    resources: [task.arn],
    detail,
  };
}
