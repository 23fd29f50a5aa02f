/**
 * loginCleanupModule: binds the consul-ecs v0.7+ era's login-token garbage collector for each ECS
 * cluster served: the cluster's task informer (desired status RUNNING, indexed by task id), the
 * informer of its login tokens, the `login-token-gc` plugin and its metric.
 *
 * Invariants: clusters share only the SDK client, the Consul settings, the registry and the
 * logger; each has its own informers, read limiter and work queue. Tokens are deleted only through
 * LoginTokenWrites (see there). Names get a `/<cluster>` suffix when more than one cluster is served.
 */
import { type ECSClient } from '@aws-sdk/client-ecs';
import { ContainerModule, type ResolutionContext } from 'inversify';
import { Counter, type Registry } from 'prom-client';
import { type SchedulerLike } from 'rxjs';

import { CallRateLimiter } from '../../src/aws/call-rate-limiter.js';
import { createEcsTaskInformer } from '../../src/aws/ecs-task-informer.js';
import { type ListedTask } from '../../src/aws/ecs-task-facts.js';
import { EcsTaskLister } from '../../src/aws/ecs-task-lister.js';
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
import {
  LoginTokenGcController,
  tasksByIdIndexer,
  TASKS_BY_ID,
} from '../login-token-gc/login-token-gc-controller.js';

export interface LoginCleanupCluster {
  /** The cluster as configured (name or ARN). */
  readonly cluster: string;
  /** Every name of the cluster that login meta may carry (the configured one and its alias). */
  readonly clusterNames: readonly string[];
}

export interface LoginCleanupSettings {
  readonly clusters: readonly LoginCleanupCluster[];
  readonly ecs: ECSClient;
  readonly consul: ConsulSettings;
  /** The partition served (Consul Enterprise), or undefined without partitions. */
  readonly partition?: string;
  readonly gracePeriodMs: number;
  /** Full relist of tasks and re-check of every login token. */
  readonly resyncIntervalMs: number;
  readonly ecsReadRate: number;
}

const DELETES_METRIC = 'login_token_gc_deletes_total';

export function loginCleanupModule(settings: LoginCleanupSettings): ContainerModule {
  const multi = settings.clusters.length > 1;
  const scope: AclScope =
    settings.partition === undefined ? {} : { partition: settings.partition, namespace: ALL_NAMESPACES };
  return new ContainerModule(({ bind }) => {
    for (const { cluster, clusterNames } of settings.clusters) {
      const scopedName = (base: string) => (multi ? `${base}/${cluster}` : base);
      const pluginId = Symbol.for(`ecs-acl-controller.LoginTokenGc/${cluster}`);
      bind<LoginTokenGcController>(pluginId).toDynamicValue((ctx) =>
        createPlugin(ctx, settings, { cluster, clusterNames }, scope, scopedName),
      );
      const plugin = (ctx: ResolutionContext) => ctx.get<LoginTokenGcController>(pluginId);
      bind(TYPES.Informer).toDynamicValue((ctx) => plugin(ctx).tasks);
      bind(TYPES.Informer).toDynamicValue((ctx) => plugin(ctx).loginTokens);
      bind(TYPES.ControllerPlugin).toDynamicValue((ctx) => plugin(ctx));
    }
  });
}

function createPlugin(
  ctx: ResolutionContext,
  settings: LoginCleanupSettings,
  { cluster, clusterNames }: LoginCleanupCluster,
  scope: AclScope,
  scopedName: (base: string) => string,
): LoginTokenGcController {
  const clock = ctx.get<Clock>(TYPES.Clock);
  const scheduler = ctx.get<SchedulerLike>(TYPES.Scheduler);
  const observer = ctx.get<InformerObserver>(TYPES.InformerObserver);
  const api = ctx.get<ApiMetrics>(TYPES.ApiMetrics);
  const registry = ctx.get<Registry>(TYPES.Registry);
  const acl = new AclApi(new ConsulTransport(settings.consul, clock, api, ctx.get<Random>(TYPES.Random)));
  // Only the ARN and version are kept: any running task keeps its tokens, mesh-tagged or not
  // (consul-ecs v0.10 drops the tokens of a running task that lost its mesh tag).
  const lister = new EcsTaskLister<ListedTask>({
    project: ({ taskArn, version }) => ({ taskArn, version }),
    ecs: settings.ecs,
    cluster,
    clock,
    observer: api,
    limiter: new CallRateLimiter(clock, settings.ecsReadRate, DEFAULT_ECS_READ_BURST),
  });
  const tasks = createEcsTaskInformer<ListedTask>({
    name: scopedName('ecs-tasks'),
    group: cluster,
    lister,
    indexers: { [TASKS_BY_ID]: tasksByIdIndexer },
    resyncPeriodMs: settings.resyncIntervalMs,
    scheduler,
    observer,
  });
  const loginTokens = createLoginTokenInformer({
    acl,
    clusterNames,
    scope,
    resyncPeriodMs: settings.resyncIntervalMs,
    scheduler,
    observer,
    name: scopedName('consul-login-tokens'),
    group: cluster,
  });
  const deletes =
    (registry.getSingleMetric(DELETES_METRIC) as Counter | undefined) ??
    new Counter({
      name: DELETES_METRIC,
      help: 'Login tokens of stopped tasks: deleted, already gone, or refused because they changed.',
      labelNames: ['cluster', 'outcome'],
      registers: [registry],
    });
  return new LoginTokenGcController({
    name: scopedName('login-token-gc'),
    group: cluster,
    tasks,
    loginTokens,
    writes: new LoginTokenWrites(acl, clusterNames),
    clock,
    gracePeriodMs: settings.gracePeriodMs,
    logger: ctx.get<Logger>(TYPES.Logger).child({ cluster }),
    count: (outcome) => deletes.inc({ cluster, outcome }),
  });
}
