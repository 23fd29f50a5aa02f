// envtest: local ECS, Secrets Manager and Consul servers for tests, demos and users' own tests.
export { type CallRecord, CallLog } from './call-log.js';
export { type Fault, FaultInjector, type FaultKind, type FaultRule } from './faults.js';
export { type ConsulServer, type ConsulServerOptions, startConsulServer } from './consul/server.js';
export { ConsulState } from './consul/state.js';
export { type EcsServer, type EcsServerOptions, startEcsServer } from './ecs/server.js';
export {
  type SecretsManagerServer,
  type SecretsManagerServerOptions,
  startSecretsManagerServer,
} from './secretsmanager/server.js';
