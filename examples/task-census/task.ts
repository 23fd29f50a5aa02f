/**
 * ExampleTask: the slice of an ECS task the example needs, projected once from the facts the
 * generic ECS task lister reads (see EcsTaskFacts).
 */
import { familyFromTaskDefinitionArn } from '../../src/aws/arn.js';
import { type EcsTaskFacts } from '../../src/aws/ecs-task-facts.js';

export interface ExampleTask {
  readonly taskArn: string;
  readonly family: string;
  readonly version: number;
}

/** A task whose task-definition ARN has no family is counted under "unknown". */
export function toExampleTask(facts: EcsTaskFacts): ExampleTask {
  return {
    taskArn: facts.taskArn,
    family: familyFromTaskDefinitionArn(facts.taskDefinitionArn) ?? 'unknown',
    version: facts.version,
  };
}

export const TASK_INFORMER = Symbol.for('example.TaskInformer');
export const BY_FAMILY = 'byFamily';
