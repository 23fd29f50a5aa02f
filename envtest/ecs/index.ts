export { EcsArns, parseEcsArn } from './arns.js';
export type {
  Cluster,
  Container,
  EcsTimings,
  LaunchAttempt,
  ServiceLaunchRetry,
  Service,
  Tag,
  Task,
  TaskChange,
  TaskDefinition,
  TaskDesiredStatus,
  TaskLastStatus,
} from './model.js';
export {
  DEFAULT_ECS_TIMINGS,
  ECS_TARGET_PREFIX,
  type EcsServer,
  type EcsServerOptions,
  startEcsServer,
} from './server.js';
export { DEFAULT_SERVICE_LAUNCH_RETRY, EcsState, type TaskChangeListener } from './state.js';
export { type EcsEventsOptions, type EventFaultKind, TaskEventPipe } from './event-pipe.js';
export { TASK_STATE_CHANGE, type TaskStateChangeEvent, taskStateChangeEvent } from './task-events.js';
export {
  parseValueFrom,
  type SecretReference,
  type SecretResolver,
  secretsFailure,
  storeResolver,
  TASK_FAILED_TO_START,
} from './task-secrets.js';
