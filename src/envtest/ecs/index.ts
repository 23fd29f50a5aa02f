export { EcsArns, parseEcsArn } from './arns.js';
export type {
  Cluster,
  Container,
  EcsTimings,
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
export { EcsState, type TaskChangeListener } from './state.js';
