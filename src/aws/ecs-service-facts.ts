/**
 * EcsServiceFacts: the typed projection of one ECS service the service lister reads from
 * `DescribeServices`, with the family and tags of its task definition (`DescribeTaskDefinition`).
 *
 * A lister projects these facts into the item type its informer caches (`ListedService`): the
 * facts themselves, or a smaller shape a controller derives from them once.
 */
import { type EcsTags } from './ecs-tags.js';

export interface EcsServiceFacts {
  readonly serviceArn: string;
  /** ACTIVE, DRAINING or INACTIVE; ACTIVE when ECS left it out. */
  readonly status: string;
  readonly taskDefinitionArn: string;
  readonly desiredCount: number;
  /** SERVICE, TASK_DEFINITION or NONE: where the service's tasks get their tags from. */
  readonly propagateTags?: string;
  readonly tags: EcsTags;
  readonly taskDefinition: { readonly family: string; readonly tags: EcsTags };
}

/** What the service informer needs of any cached service: its key and what makes its version. */
export interface ListedService {
  readonly serviceArn: string;
  readonly status: string;
  readonly taskDefinitionArn: string;
  readonly desiredCount: number;
}

/** A service's version: it changes when its status, task definition or desired count does. */
export function ecsServiceVersion(service: ListedService): string {
  return `${service.status}|${service.taskDefinitionArn}|${service.desiredCount}`;
}
