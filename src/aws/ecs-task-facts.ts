/**
 * EcsTaskFacts: the typed projection of one running ECS task that the task lister reads from
 * `DescribeTasks`: the fields that never change for a task (its ARN, task definition and tags)
 * plus ECS's version counter. Every field has been type-checked against the answer.
 *
 * A lister projects these facts into the item type its informer caches (`ListedTask`): the facts
 * themselves, or a smaller shape a controller derives from them once.
 */
import { type EcsTags } from './ecs-tags.js';

export interface EcsTaskFacts {
  readonly taskArn: string;
  readonly taskDefinitionArn: string;
  readonly tags: EcsTags;
  /** ECS's version counter; 0 when ECS left it out. */
  readonly version: number;
  /** The task group: `service:<name>` for a task an ECS service started (see ecsServiceOfGroup). */
  readonly group?: string;
}

const SERVICE_GROUP = 'service:';

/** The name of the ECS service that started a task of this group, or undefined. */
export function ecsServiceOfGroup(group: string | undefined): string | undefined {
  if (group === undefined || !group.startsWith(SERVICE_GROUP)) return undefined;
  return group.slice(SERVICE_GROUP.length) || undefined;
}

/** What the task informer needs of any cached task: its key and its version. */
export interface ListedTask {
  readonly taskArn: string;
  /** ECS's version counter: it only grows, so events can be ordered by it. */
  readonly version: number;
}
