/**
 * AclDeps: the collaborators the ACL controllers of one cluster share, bound once per cluster in
 * the container, under `aclDepsId(cluster)`.
 */
import { type Informer } from '../../src/cache/informer.js';
import { type TokenSecretStore } from './token-secret-store.js';
import { type EcsTaskLister } from '../../src/aws/ecs-task-lister.js';
import { type TaskDefinitionCache } from '../../src/aws/task-definition-cache.js';
import { type AclApi } from '../../src/consul/acl-api.js';
import { type TenancyApi } from '../../src/consul/tenancy-api.js';
import { type OwnedPolicy, type OwnedToken } from './owned-acl.js';
import { type Logger } from '../../src/log/logger.js';
import { type MeshService } from '../domain/mesh-service.js';
import { type MeshTask } from '../domain/mesh-task.js';
import { type Clock } from '../../src/time/clock.js';
import { type ServiceRefresh } from '../../src/aws/ecs-service-refresher.js';
import { type AclControllerConfig } from '../domain/acl-config.js';
import { type AclMetrics } from './acl-metrics.js';
import { type SecretNames } from '../domain/secret-names.js';
import { type TokenOwnership } from '../domain/token-ownership.js';

export interface AclDeps {
  readonly config: AclControllerConfig;
  readonly tasks: Informer<MeshTask>;
  /** ECS services, when pre-provisioning is on. */
  readonly services?: Informer<MeshService>;
  /** Describes named ECS services into `services` (service events, GC confirmations); with it. */
  readonly serviceRefresh?: ServiceRefresh;
  /**
   * Not read by the controllers: the task event consumer (createEventConsumer) uses this cache,
   * which the ECS service lister uses too, and the task informer's `taskLister`, so a task an event
   * reports is described through the same lister and read limits, and forgotten by it at once.
   */
  readonly taskDefinitions: TaskDefinitionCache;
  /** See `taskDefinitions`; the events spec also reads it to check what the lister remembers. */
  readonly taskLister: EcsTaskLister<MeshTask>;
  readonly tokens: Informer<OwnedToken>;
  readonly policies: Informer<OwnedPolicy>;
  readonly acl: AclApi;
  /** Admin partitions and namespaces (used with partitions on). */
  readonly tenancy: TenancyApi;
  readonly secrets: TokenSecretStore;
  readonly metrics: AclMetrics;
  /** The ownership rule of this cluster: whose a token is (every token write asks it first). */
  readonly ownership: TokenOwnership;
  /** Which service holds which secret name, across every cluster of the process. */
  readonly secretNames: SecretNames;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Generates a new random UUID (injected so tests can predict IDs). */
  readonly newId: () => string;
  /**
   * The unique name of one of this cluster's controllers, informers or checks: `base` itself when
   * the process serves one cluster, `base/<cluster>` when it serves several.
   */
  readonly scopedName: (base: string) => string;
}

/** The binding of one cluster's AclDeps. */
export function aclDepsId(cluster: string): symbol {
  return Symbol.for(`ecs-acl-controller.AclDeps/${cluster}`);
}
