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
}

/** What the task informer needs of any cached task: its key and its version. */
export interface ListedTask {
  readonly taskArn: string;
  /** ECS's version counter: it only grows, so events can be ordered by it. */
  readonly version: number;
}
