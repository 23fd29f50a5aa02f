/**
 * taskCleanupModule: binds the consul-ecs v0.7+ era's cleanups of stopped tasks for each ECS
 * cluster served: the cluster's task informer (desired status RUNNING, indexed by task id, shared
 * by both plugins), the informers of its login tokens and of its synthetic node's services, the
 * `login-token-gc` and `catalog-cleanup` plugins and their metric, when asked the cluster's task
 * event consumer (its own SQS queue), and the cluster's leader election (which gates every plugin
 * of the cluster's group, consul-resources and the consumer included).
 *
 * Invariants: clusters share only the SDK client, the Consul settings, the registry and the
 * logger; each has its own informers, read limiter and work queues. Tokens are deleted only through
 * LoginTokenWrites, services deregistered only through CatalogWrites. Names get a `/<cluster>`
 * suffix when more than one cluster is served.
 */
import { type ECSClient } from '@aws-sdk/client-ecs';
import { type SQSClient } from '@aws-sdk/client-sqs';
import { ContainerModule, type ResolutionContext } from 'inversify';
import { Counter, type Registry } from 'prom-client';
import { type SchedulerLike } from 'rxjs';

import { type ArnScope, clusterNameOfArn } from '../../src/aws/arn.js';
import { CallRateLimiter } from '../../src/aws/call-rate-limiter.js';
import { clusterAliases } from '../domain/cluster-aliases.js';
import { createEcsTaskInformer } from '../../src/aws/ecs-task-informer.js';
import { type ListedTask } from '../../src/aws/ecs-task-facts.js';
import { EcsTaskLister } from '../../src/aws/ecs-task-lister.js';
import { TaskEventConsumer } from '../../src/aws/task-event-consumer.js';
import { TaskEventMetrics } from '../../src/aws/task-event-metrics.js';
import { type InformerObserver } from '../../src/cache/informer-observer.js';
import { AclApi } from '../../src/consul/acl-api.js';
import { type AclScope } from '../../src/consul/acl-types.js';
import { type ConsulSettings } from '../../src/consul/consul-settings.js';
import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { TYPES } from '../../src/di/types.js';
import { type Logger } from '../../src/log/logger.js';
import { type ApiMetrics } from '../../src/metrics/api-metrics.js';
import { type Clock, type Random } from '../../src/time/clock.js';
import { ALL_NAMESPACES } from '../adapters/acl-informers.js';
import { createLoginTokenInformer } from '../adapters/login-token-informer.js';
import { LoginTokenWrites } from '../adapters/login-token-writes.js';
import { DEFAULT_ECS_READ_BURST } from '../domain/acl-config.js';
import { LoginTokenGcController } from '../login-token-gc/login-token-gc-controller.js';
import { LOGIN_TOKEN_GC } from '../login-token-gc/login-token-gc-reconciler.js';
import { CATALOG_CLEANUP, CatalogCleanupController } from '../catalog-cleanup/catalog-cleanup-controller.js';
import { createCatalogServiceInformer } from '../adapters/catalog-service-informer.js';
import { CatalogWrites } from '../adapters/catalog-writes.js';
import { type RemovalOutcome } from '../domain/removal-outcome.js';
import { CatalogApi } from '../../src/consul/catalog-api.js';
import { AgentApi } from '../../src/consul/agent-api.js';
import { AuthApi } from '../../src/consul/auth-api.js';
import {
  consulResourceWatchCount,
  createConsulResourceInformers,
  type WatchedObject,
} from '../adapters/consul-resource-informers.js';
import { ConsulResourcesController } from '../consul-resources/consul-resources-controller.js';
import { CONSUL_RESOURCES } from '../consul-resources/consul-resources-reconciler.js';
import { tasksByIdIndexer, TASKS_BY_ID } from '../task-cleanup/gone-task-controller.js';
import { type Leadership } from '../../src/manager/leadership.js';
import { type LeaderElectionConfig } from '../domain/acl-config.js';
import { createClusterLeaderElector } from './cluster-leader-elector.js';
import { type Informer } from '../../src/cache/informer.js';
import { TenancyApi } from '../../src/consul/tenancy-api.js';
import { type MeshIdentity } from '../domain/mesh-identity.js';
import { meshTaskProjection } from '../adapters/mesh-task-informer.js';
import { TenancyController } from '../tenancy/tenancy-controller.js';
import { TENANCY_CONTROLLER } from '../tenancy/tenancy-reconciler.js';

export interface TaskCleanupCluster {
  /** The cluster as configured (name or ARN). */
  readonly cluster: string;
  /** Every name of the cluster that login meta may carry (the configured one and its alias). */
  readonly clusterNames: readonly string[];
  /** The synthetic catalog node of the cluster: its ARN. */
  readonly node: string;
  /**
   * Keep the Consul objects IAM login needs for this cluster (see ConsulResourcesReconciler):
   * `controller` does, `acl-controller -iam-auth-cluster` does not (upstream's v0.10 controller
   * keeps them there).
   */
  readonly resources?: {
    readonly boundPrincipalArn: string;
    readonly nodeAddress: string;
    readonly dryRun: boolean;
    readonly partitionsEnabled: boolean;
  };
  /**
   * Run this cluster's plugins only while holding its Consul lock. Leave it out when another
   * module already elects the cluster's group (`acl-controller` serving it in both eras).
   */
  readonly leaderElection?: LeaderElectionConfig;
  /**
   * The cluster's own SQS queue of "ECS Task State Change" events (never one another consumer
   * reads: SQS gives each message to one receiver). Needs the module's `sqs`.
   */
  readonly eventsQueueUrl?: string;
}

export interface TaskCleanupSettings {
  readonly clusters: readonly TaskCleanupCluster[];
  readonly ecs: ECSClient;
  readonly consul: ConsulSettings;
  /** The partition served (Consul Enterprise), or undefined without partitions. */
  readonly partition?: string;
  readonly gracePeriodMs: number;
  /** Full relist of tasks and re-check of every login token. */
  readonly resyncIntervalMs: number;
  readonly ecsReadRate: number;
  /** Suffix every name with `/<cluster>` even for one cluster (beside the ACL module's names). */
  readonly alwaysScopeNames?: boolean;
  /** For clusters with an `eventsQueueUrl`. */
  readonly sqs?: SQSClient;
  /** SQS long-polling wait of the event consumers (default 20 s). */
  readonly eventsWaitSeconds?: number;
}

/** consul-ecs v0.7+ names the cluster's synthetic catalog node after the cluster ARN. */
const isClusterArn = (name: string) => clusterNameOfArn(name) !== undefined;

/** A cluster to clean up after, given by name or ARN; `scope` (the task's own ARN scope) gives its alias. */
export function iamAuthCluster(cluster: string, scope: ArnScope | undefined): TaskCleanupCluster {
  const clusterNames = [cluster, ...clusterAliases(cluster, scope)];
  return { cluster, clusterNames, node: clusterNames.find(isClusterArn) ?? cluster };
}

const REMOVALS_METRIC = 'task_cleanup_removals_total';
const CHANGES_METRIC = 'consul_resources_changes_total';
/** The family the ACL module's tenancy plugin counts in too (one process may run both). */
const TENANCY_METRIC = 'acl_controller_tenancy_changes_total';

/** A Consul transport of the module's settings, observed by the container's API metrics. */
function consulTransport(ctx: ResolutionContext, settings: TaskCleanupSettings): ConsulTransport {
  return new ConsulTransport(
    settings.consul,
    ctx.get<Clock>(TYPES.Clock),
    ctx.get<ApiMetrics>(TYPES.ApiMetrics),
    ctx.get<Random>(TYPES.Random),
  );
}

/** A counter family of the registry, made on first use (several clusters and modules share it). */
function sharedCounter(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  return (
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

export function taskCleanupModule(settings: TaskCleanupSettings): ContainerModule {
  const multi = settings.clusters.length > 1 || settings.alwaysScopeNames === true;
  const scope: AclScope =
    settings.partition === undefined ? {} : { partition: settings.partition, namespace: ALL_NAMESPACES };
  return new ContainerModule(({ bind }) => {
    for (const cluster of settings.clusters) {
      const scopedName = (base: string) => (multi ? `${base}/${cluster.cluster}` : base);
      const id = Symbol.for(`ecs-acl-controller.TaskCleanup/${cluster.cluster}`);
      bind<TaskCleanupPlugins>(id).toDynamicValue((ctx) =>
        createPlugins(ctx, settings, cluster, scope, scopedName),
      );
      const plugins = (ctx: ResolutionContext) => ctx.get<TaskCleanupPlugins>(id);
      bind(TYPES.Informer).toDynamicValue((ctx) => plugins(ctx).tasks);
      bind(TYPES.Informer).toDynamicValue((ctx) => plugins(ctx).loginTokens.leftovers);
      bind(TYPES.Informer).toDynamicValue((ctx) => plugins(ctx).catalog.leftovers);
      bind(TYPES.ControllerPlugin).toDynamicValue((ctx) => plugins(ctx).loginTokens);
      bind(TYPES.ControllerPlugin).toDynamicValue((ctx) => plugins(ctx).catalog);
      const { eventsQueueUrl } = cluster;
      if (eventsQueueUrl !== undefined) {
        bind(TYPES.Runnable).toDynamicValue((ctx) =>
          createCleanupEventConsumer(ctx, settings, cluster, eventsQueueUrl, plugins(ctx), scopedName),
        );
      }
      if (tenancyOn(settings, cluster)) {
        const partition = settings.partition;
        bind(TYPES.ControllerPlugin).toDynamicValue((ctx) => {
          const transport = consulTransport(ctx, settings);
          const changes = sharedCounter(
            ctx.get<Registry>(TYPES.Registry),
            TENANCY_METRIC,
            'Admin partition, cross-namespace policy and namespaces created or repaired (partitions on), by change.',
            ['cluster', 'change'],
          );
          return new TenancyController({
            name: scopedName(TENANCY_CONTROLLER),
            group: cluster.cluster,
            config: { dryRun: false, partition },
            acl: new AclApi(transport),
            tenancy: new TenancyApi(transport),
            logger: ctx
              .get<Logger>(TYPES.Logger)
              .child({ cluster: cluster.cluster, controller: TENANCY_CONTROLLER }),
            changed: (change) => changes.inc({ cluster: cluster.cluster, change }),
            sources: [plugins(ctx).tasks],
          });
        });
      }
      const { leaderElection } = cluster;
      if (leaderElection !== undefined) {
        bind<Leadership>(TYPES.Leadership).toDynamicValue((ctx) =>
          createClusterLeaderElector(ctx, cluster.cluster, leaderElection, settings.consul),
        );
      }
      const { resources } = cluster;
      if (resources !== undefined) {
        const watchesId = Symbol.for(`ecs-acl-controller.ConsulResourceWatches/${cluster.cluster}`);
        bind<Informer<WatchedObject>[]>(watchesId).toDynamicValue((ctx) => {
          const transport = consulTransport(ctx, settings);
          return createConsulResourceInformers({
            acl: new AclApi(transport),
            auth: new AuthApi(transport),
            catalog: new CatalogApi(transport),
            partitionsEnabled: resources.partitionsEnabled,
            partition: settings.partition ?? '',
            node: cluster.node,
            scheduler: ctx.get<SchedulerLike>(TYPES.Scheduler),
            observer: ctx.get<InformerObserver>(TYPES.InformerObserver),
            scopedName,
            group: cluster.cluster,
          });
        });
        const watches = (ctx: ResolutionContext) => ctx.get<Informer<WatchedObject>[]>(watchesId);
        for (let i = 0; i < consulResourceWatchCount(resources.partitionsEnabled, settings.partition); i++)
          bind(TYPES.Informer).toDynamicValue((ctx) => watches(ctx)[i] as Informer<WatchedObject>);
        bind(TYPES.ControllerPlugin).toDynamicValue((ctx) => {
          const transport = consulTransport(ctx, settings);
          const changes = sharedCounter(
            ctx.get<Registry>(TYPES.Registry),
            CHANGES_METRIC,
            'Writes that keep the IAM auth method, its binding rules, gateway policies and roles, the anonymous policy and the synthetic node, by change.',
            ['cluster', 'change'],
          );
          return new ConsulResourcesController(
            {
              config: {
                ...resources,
                partition: settings.partition ?? '',
                node: cluster.node,
                resyncIntervalMs: settings.resyncIntervalMs,
              },
              acl: new AclApi(transport),
              auth: new AuthApi(transport),
              agent: new AgentApi(transport),
              catalog: new CatalogApi(transport),
              logger: ctx
                .get<Logger>(TYPES.Logger)
                .child({ cluster: cluster.cluster, controller: CONSUL_RESOURCES }),
              changed: (change) => changes.inc({ cluster: cluster.cluster, change }),
            },
            cluster.cluster,
            scopedName(CONSUL_RESOURCES),
            watches(ctx),
          );
        });
      }
    }
  });
}

interface TaskCleanupPlugins {
  readonly tasks: Informer<CleanupTask>;
  readonly lister: EcsTaskLister<CleanupTask>;
  readonly loginTokens: LoginTokenGcController;
  readonly catalog: CatalogCleanupController;
}

/** A listed task; its mesh identity is read only with partitions on (else `mesh: false`). */
type CleanupTask = ListedTask & MeshIdentity;

/**
 * With partitions on, `controller` makes the served partition, the `cross-namespace-read` policy
 * and each served mesh task's namespace, as consul-ecs v0.10 does (and keeps them, as it does not).
 */
function tenancyOn(
  settings: TaskCleanupSettings,
  cluster: TaskCleanupCluster,
): settings is TaskCleanupSettings & {
  partition: string;
} {
  return settings.partition !== undefined && cluster.resources?.partitionsEnabled === true;
}

function createPlugins(
  ctx: ResolutionContext,
  settings: TaskCleanupSettings,
  served: TaskCleanupCluster,
  scope: AclScope,
  scopedName: (base: string) => string,
): TaskCleanupPlugins {
  const { cluster, clusterNames, node } = served;
  const clock = ctx.get<Clock>(TYPES.Clock);
  const scheduler = ctx.get<SchedulerLike>(TYPES.Scheduler);
  const observer = ctx.get<InformerObserver>(TYPES.InformerObserver);
  const api = ctx.get<ApiMetrics>(TYPES.ApiMetrics);
  const registry = ctx.get<Registry>(TYPES.Registry);
  const transport = consulTransport(ctx, settings);
  const acl = new AclApi(transport);
  const catalog = new CatalogApi(transport);
  // Only the ARN and version are kept: any running task keeps its leftovers, mesh-tagged or not
  // (consul-ecs v0.10 removes those of a running task that lost its mesh tag). With partitions on,
  // the mesh identity too: the tenancy plugin makes the namespaces of the served mesh tasks.
  const lister = new EcsTaskLister<CleanupTask>({
    project: tenancyOn(settings, served)
      ? meshTaskProjection(true, settings.partition)
      : ({ taskArn, version }) => ({ taskArn, version, mesh: false }),
    ecs: settings.ecs,
    cluster,
    clock,
    observer: api,
    limiter: new CallRateLimiter(clock, settings.ecsReadRate, DEFAULT_ECS_READ_BURST),
  });
  const tasks = createEcsTaskInformer<CleanupTask>({
    name: scopedName('ecs-tasks'),
    group: cluster,
    lister,
    indexers: { [TASKS_BY_ID]: tasksByIdIndexer },
    resyncPeriodMs: settings.resyncIntervalMs,
    scheduler,
    observer,
  });
  const watched = { resyncPeriodMs: settings.resyncIntervalMs, scheduler, observer, group: cluster };
  const removals = sharedCounter(
    registry,
    REMOVALS_METRIC,
    "Stopped tasks' leftovers, by controller and outcome: deleted, already gone, or refused because they changed.",
    ['cluster', 'controller', 'outcome'],
  );
  const common = (controller: string) => ({
    name: scopedName(controller),
    group: cluster,
    // The cleanups only read task ARNs and versions: the mesh identity is the tenancy plugin's.
    tasks: tasks as unknown as Informer<ListedTask>,
    clock,
    gracePeriodMs: settings.gracePeriodMs,
    logger: ctx.get<Logger>(TYPES.Logger).child({ cluster, controller }),
    count: (outcome: RemovalOutcome) => removals.inc({ cluster, controller, outcome }),
  });
  return {
    tasks,
    lister,
    loginTokens: new LoginTokenGcController({
      ...common(LOGIN_TOKEN_GC),
      loginTokens: createLoginTokenInformer({
        ...watched,
        acl,
        clusterNames,
        scope,
        name: scopedName('consul-login-tokens'),
      }),
      writes: new LoginTokenWrites(acl, clusterNames),
    }),
    catalog: new CatalogCleanupController({
      ...common(CATALOG_CLEANUP),
      services: createCatalogServiceInformer({
        ...watched,
        catalog,
        node,
        scope,
        name: scopedName('consul-catalog-services'),
      }),
      writes: new CatalogWrites(catalog),
    }),
  };
}

/**
 * The consumer of a cluster's task events: stopped tasks leave the task cache at once, and the
 * full relist becomes a safety net. Without partitions a cached task holds no tags, so a new task's
 * event alone makes its item (no DescribeTasks); with them, its mesh identity is described.
 */
function createCleanupEventConsumer(
  ctx: ResolutionContext,
  settings: TaskCleanupSettings,
  served: TaskCleanupCluster,
  queueUrl: string,
  plugins: TaskCleanupPlugins,
  scopedName: (base: string) => string,
): TaskEventConsumer<CleanupTask> {
  if (!settings.sqs) throw new Error('eventsQueueUrl is set but no SQS client was given');
  const { cluster } = served;
  return new TaskEventConsumer({
    name: scopedName('ecs-task-events'),
    group: cluster,
    // As acl-controller's consumer: only the leader consumes, after its group relisted.
    leaderOnly: served.leaderElection !== undefined,
    sqs: settings.sqs,
    queueUrl,
    cluster,
    tasks: plugins.tasks,
    lister: plugins.lister,
    itemsFromEvents: !tenancyOn(settings, served),
    clock: ctx.get<Clock>(TYPES.Clock),
    random: ctx.get<Random>(TYPES.Random),
    logger: ctx.get<Logger>(TYPES.Logger).child({ cluster }),
    observer: ctx.get<ApiMetrics>(TYPES.ApiMetrics),
    metrics: new TaskEventMetrics(ctx.get<Registry>(TYPES.Registry)),
    waitSeconds: settings.eventsWaitSeconds,
  });
}
