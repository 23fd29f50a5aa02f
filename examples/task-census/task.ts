/** The slice of an ECS task the example needs. */
export interface ExampleTask {
  readonly taskArn: string;
  readonly family: string;
  readonly version: number;
}

export const TASK_INFORMER = Symbol.for('example.TaskInformer');
export const BY_FAMILY = 'byFamily';
