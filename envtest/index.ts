// envtest: local ECS, Secrets Manager, SQS and Consul servers for tests, demos and users' own tests.
export { type CallRecord, CallLog } from './call-log.js';
export { type Fault, FaultInjector, type FaultKind, type FaultRule } from './faults.js';
export {
  evaluate as evaluateIamPolicies,
  IamAuthorizer,
  type IamOptions,
  type IamRequest,
  parsePolicy,
  type PolicyDocument,
  PolicyError,
} from './aws/iam/index.js';
export { type ConsulServer, type ConsulServerOptions, startConsulServer } from './consul/server.js';
export { ConsulState } from './consul/state.js';
export { type EcsServer, type EcsServerOptions, startEcsServer } from './ecs/server.js';
export {
  type EcsEventsOptions,
  type EventFaultKind,
  TASK_STATE_CHANGE_OPERATION,
  TaskEventPipe,
} from './ecs/event-pipe.js';
export { type TaskStateChangeEvent, taskStateChangeEvent } from './ecs/task-events.js';
export { type SecretResolver, storeResolver, TASK_FAILED_TO_START } from './ecs/task-secrets.js';
export type { LaunchAttempt, ServiceLaunchRetry } from './ecs/model.js';
export {
  type SecretsManagerServer,
  type SecretsManagerServerOptions,
  startSecretsManagerServer,
} from './secretsmanager/server.js';
export { SecretStore } from './secretsmanager/store.js';
export { type SqsServer, type SqsServerOptions, startSqsServer } from './sqs/server.js';
export { SqsState } from './sqs/state.js';
