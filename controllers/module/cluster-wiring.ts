/**
 * The per-cluster parts the ACL module binds: a cluster's AclDeps (clients wrapped with metrics,
 * rate limiters, caches and informers) and its task-event consumer.
 *
 * Invariants: nothing here is shared between two clusters except what the container passes in
 * (SDK clients, registry, logger, clock); each call builds new limiters, caches and informers.
 */
import { randomUUID } from 'node:crypto';

import { type ResolutionContext } from 'inversify';
import { type Registry } from 'prom-client';
import { type SchedulerLike } from 'rxjs';

import { CallRateLimiter } from '../../src/aws/call-rate-limiter.js';
import { EcsServiceLister } from '../../src/aws/ecs-service-lister.js';
import { EcsServiceRefresher } from '../../src/aws/ecs-service-refresher.js';
import { EcsTaskLister } from '../../src/aws/ecs-task-lister.js';
import { TokenSecretStore } from '../adapters/token-secret-store.js';
import { TaskDefinitionCache } from '../../src/aws/task-definition-cache.js';
import { TaskEventConsumer } from '../../src/aws/task-event-consumer.js';
import { TaskEventMetrics } from '../../src/aws/task-event-metrics.js';
import { type InformerObserver } from '../../src/cache/informer-observer.js';
import { type Informer } from '../../src/cache/informer.js';
import { AclApi } from '../../src/consul/acl-api.js';
import { TenancyApi } from '../../src/consul/tenancy-api.js';
import { aclListScope, createPolicyInformer, createTokenInformer } from '../adapters/acl-informers.js';
import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { TYPES } from '../../src/di/types.js';
import { type Logger } from '../../src/log/logger.js';
import { type ApiMetrics } from '../../src/metrics/api-metrics.js';
import { type Clock, type Random } from '../../src/time/clock.js';
import { type AclClients, type AclModuleSettings } from './acl-settings.js';
import {
  type AclControllerConfig,
  DEFAULT_ECS_READ_BURST,
  ownedClusterNames,
  servedPartition,
} from '../domain/acl-config.js';
import { type AclDeps } from '../adapters/acl-deps.js';
import { AclMetrics } from '../adapters/acl-metrics.js';
import { clientPolicyName } from '../domain/client-policy.js';
import { OptionalFeature } from '../adapters/optional-feature.js';
import { createMeshServiceInformer, meshServiceProjection } from '../adapters/mesh-service-informer.js';
import { TASKS_BY_ECS_SERVICE } from '../adapters/mesh-indexes.js';
import { createMeshTaskInformer, meshTaskProjection } from '../adapters/mesh-task-informer.js';
import { hasMeshTag } from '../domain/mesh-identity.js';
import { type MeshService } from '../domain/mesh-service.js';
import { type MeshTask } from '../domain/mesh-task.js';
import { type SecretNames } from '../domain/secret-names.js';
import { TokenOwnership } from '../domain/token-ownership.js';

/** What a cluster's deps get from the module: its naming, and what all clusters share. */
export interface ClusterShared {
  /** `base` with one cluster, `base/<cluster>` with several. */
  readonly scopedName: (base: string) => string;
  readonly secretNames: SecretNames;
  /** The process's one Secrets Manager write limiter. */
  readonly secretWrites: CallRateLimiter;
}

export function createAclDeps(
  ctx: ResolutionContext,
  settings: AclModuleSettings,
  config: AclControllerConfig,
  shared: ClusterShared,
): AclDeps {
  const { scopedName, secretNames } = shared;
  const { clients } = settings;
  const clock = ctx.get<Clock>(TYPES.Clock);
  const scheduler = ctx.get<SchedulerLike>(TYPES.Scheduler);
  const observer = ctx.get<InformerObserver>(TYPES.InformerObserver);
  const api = ctx.get<ApiMetrics>(TYPES.ApiMetrics);
  const consulTransport = new ConsulTransport(clients.consul, clock, api, ctx.get<Random>(TYPES.Random));
  const acl = new AclApi(consulTransport);
  const partition = servedPartition(config);
  const clientPolicy = clientPolicyName(config.secretNamePrefix);
  const clusterNames = ownedClusterNames(config);
  const aclInformer = {
    acl,
    cluster: clusterNames,
    clientPolicyName: clientPolicy,
    scope: aclListScope(partition),
    resyncPeriodMs: config.resyncIntervalMs,
    watchWaitMs: settings.watchWaitMs,
    scheduler,
    observer,
    scopedName,
    group: config.cluster,
  };
  // One client-side bucket per ECS throttling bucket: task reads, and the other reads.
  const readBurst = config.ecsReadBurst ?? DEFAULT_ECS_READ_BURST;
  const taskReads = new CallRateLimiter(clock, config.ecsReadRate, readBurst);
  const otherReads = new CallRateLimiter(clock, config.ecsReadRate, readBurst);
  const taskDefinitions = new TaskDefinitionCache(clients.ecs, clock, api, otherReads);
  const taskLister = new EcsTaskLister({
    ecs: clients.ecs,
    cluster: config.cluster,
    project: meshTaskProjection(config.partitionsEnabled, partition),
    clock,
    observer: api,
    limiter: taskReads,
  });
  const registry = ctx.get<Registry>(TYPES.Registry);
  const logger = ctx.get<Logger>(TYPES.Logger).child({ cluster: config.cluster });
  const metrics = new AclMetrics(registry, config.cluster);
  const tasks = createMeshTaskInformer({
    name: scopedName('ecs-tasks'),
    group: config.cluster,
    lister: taskLister,
    resyncPeriodMs: config.resyncIntervalMs,
    scheduler,
    observer,
  });
  return {
    config,
    clock,
    acl,
    tenancy: new TenancyApi(consulTransport),
    logger,
    metrics,
    ownership: new TokenOwnership({ cluster: clusterNames, clientPolicyName: clientPolicy, partition }),
    secretNames,
    secrets: new TokenSecretStore(clients.secretsManager, clock, api, shared.secretWrites),
    newId: settings.newId ?? randomUUID,
    scopedName,
    tasks,
    ...(config.preProvision
      ? preProvisioningServices({
          tasks,
          lister: new EcsServiceLister({
            ecs: clients.ecs,
            cluster: config.cluster,
            project: meshServiceProjection(config.partitionsEnabled, partition),
            // A service running mesh tasks needs no pre-provisioning: its tasks keep its token.
            skipDescribe: (name) => tasks.store.indexKeys(TASKS_BY_ECS_SERVICE, name).length > 0,
            taskDefinitions,
            clock,
            observer: api,
            limiter: otherReads,
          }),
          feature: new OptionalFeature(
            'pre-provisioning',
            metrics.featureEnabled('pre_provisioning'),
            logger,
            'ECS services get their token with their first task instead of before it',
          ),
          name: scopedName('ecs-services'),
          group: config.cluster,
          resyncPeriodMs: config.serviceResyncIntervalMs ?? config.resyncIntervalMs,
          scheduler,
          observer,
        })
      : {}),
    taskDefinitions,
    taskLister,
    tokens: createTokenInformer(aclInformer),
    policies: createPolicyInformer(aclInformer),
  };
}

/**
 * The ECS service informer of pre-provisioning and its refresher. The informer lists after the
 * task informer's first sync (so the services with running mesh tasks are known and not
 * described); both turn themselves off when their calls are denied.
 */
function preProvisioningServices(parts: {
  readonly tasks: Informer<MeshTask>;
  readonly lister: EcsServiceLister<MeshService>;
  readonly feature: OptionalFeature;
  readonly name: string;
  readonly group: string;
  readonly resyncPeriodMs: number;
  readonly scheduler: SchedulerLike;
  readonly observer: InformerObserver;
}): Pick<AclDeps, 'services' | 'serviceRefresh'> {
  const { tasks, lister, feature, ...informer } = parts;
  const services = createMeshServiceInformer({
    ...informer,
    lister: {
      list: async (signal) => {
        await tasks.whenSynced(signal);
        return feature.run(() => lister.list(signal), { items: [] });
      },
    },
  });
  const refresher = new EcsServiceRefresher(services, lister);
  return {
    services,
    serviceRefresh: {
      refresh: (arns, signal) => feature.run(() => refresher.refresh(arns, signal), undefined),
    },
  };
}

export function createEventConsumer(
  ctx: ResolutionContext,
  deps: AclDeps,
  clients: AclClients,
  settings: AclModuleSettings,
): TaskEventConsumer<MeshTask> {
  const { config } = deps;
  if (!clients.sqs) throw new Error('eventsQueueUrl is set but no SQS client was given');
  return new TaskEventConsumer({
    name: deps.scopedName('ecs-task-events'),
    group: config.cluster,
    // With leader election only the leader consumes: SQS hands each message to one receiver, and
    // the leader is the one that must see it. A new leader relists first (it missed the events its
    // predecessor consumed).
    leaderOnly: config.leaderElection !== undefined,
    sqs: clients.sqs,
    queueUrl: config.eventsQueueUrl as string,
    cluster: config.cluster,
    tasks: deps.tasks,
    // A task definition tagged for the mesh gives its tasks their tags: the identity needs no DescribeTasks.
    definitionTagsSuffice: hasMeshTag,
    // Pre-provisioning already needs ecs:DescribeTaskDefinition; with it, a task definition is
    // described once instead of a DescribeTasks per event batch of its new tasks.
    describeTaskDefinitions: config.preProvision,
    lister: deps.taskLister,
    taskDefinitions: deps.taskDefinitions,
    clock: deps.clock,
    random: ctx.get<Random>(TYPES.Random),
    logger: deps.logger,
    observer: ctx.get<ApiMetrics>(TYPES.ApiMetrics),
    metrics: new TaskEventMetrics(ctx.get<Registry>(TYPES.Registry)),
    services: deps.serviceRefresh,
    waitSeconds: settings.eventsWaitSeconds,
  });
}
