/**
 * aclControllersModule: binds everything the ACL controllers need, for each ECS cluster served:
 * the informers (ECS tasks and services, owned Consul tokens and policies), the three controller
 * plugins (service tokens, client token, garbage collector), with admin partitions the tenancy
 * plugin (partition, cross-namespace policy, namespaces), and optionally the task-event consumer
 * and the cluster's leader election.
 *
 * Invariants: clusters share only the SDK clients, the registry and the logger; each has its own
 * informers, caches, rate limiters, work queues and lock, so one cluster's trouble (throttling, a
 * hung endpoint, a lost lock) never stalls another's controllers.
 */
import { ContainerModule, type ResolutionContext } from 'inversify';

import { TYPES } from '../../src/di/types.js';
import { type Leadership } from '../../src/manager/leadership.js';
import { type OpsServerProbes } from '../../src/ops/ops-server.js';
import { ClientTokenController } from '../client-token/client-token-controller.js';
import { GarbageCollectorController } from '../garbage-collector/garbage-collector-controller.js';
import { createClusterLeaderElector } from './cluster-leader-elector.js';
import { createAclDeps, createEventConsumer } from './cluster-wiring.js';
import { ServiceTokenController } from '../service-token/service-token-controller.js';
import { TenancyController } from '../tenancy/tenancy-controller.js';
import { TENANCY_CONTROLLER } from '../tenancy/tenancy-reconciler.js';
import {
  type AclControllerConfig,
  DEFAULT_SECRETS_WRITE_RATE,
  overlappingPrefixes,
} from '../domain/acl-config.js';
import { CallRateLimiter } from '../../src/aws/call-rate-limiter.js';
import { type Clock } from '../../src/time/clock.js';
import { type AclDeps, aclDepsId } from '../adapters/acl-deps.js';
import { type AclModuleSettings } from './acl-settings.js';
import { SecretNames } from '../domain/secret-names.js';

/**
 * Binds the ACL controllers of every configured cluster. With one cluster, names are the plain
 * ones (`service-token`, `ecs-tasks`, ...); with several, each name gets a `/<cluster>` suffix. Each cluster is its own controller group, gated by
 * its own leader election when that is on.
 */
export function aclControllersModule(settings: AclModuleSettings): ContainerModule {
  const configs: readonly AclControllerConfig[] = Array.isArray(settings.config)
    ? settings.config
    : [settings.config as AclControllerConfig];
  assertDistinctClusters(configs);
  const multi = configs.length > 1;
  const secretNames = new SecretNames(configs.map((config) => config.clientSecretArn));
  // One Secrets Manager write budget for the process: AWS counts writes per account.
  const writeRate = Math.min(
    ...configs.map((config) => config.secretsWriteRate ?? DEFAULT_SECRETS_WRITE_RATE),
  );
  let secretWrites: CallRateLimiter | undefined;
  const secretWriteLimiter = (ctx: ResolutionContext) =>
    (secretWrites ??= new CallRateLimiter(ctx.get<Clock>(TYPES.Clock), writeRate));
  return new ContainerModule(({ bind }) => {
    for (const config of configs) {
      const depsId = aclDepsId(config.cluster);
      const scopedName = (base: string) => (multi ? `${base}/${config.cluster}` : base);
      bind<AclDeps>(depsId).toDynamicValue((ctx) =>
        createAclDeps(ctx, settings, config, {
          scopedName,
          secretNames,
          secretWrites: secretWriteLimiter(ctx),
        }),
      );
      const deps = (ctx: ResolutionContext) => ctx.get<AclDeps>(depsId);
      bind(TYPES.Informer).toDynamicValue((ctx) => deps(ctx).tasks);
      bind(TYPES.Informer).toDynamicValue((ctx) => deps(ctx).tokens);
      bind(TYPES.Informer).toDynamicValue((ctx) => deps(ctx).policies);
      if (config.preProvision) {
        bind(TYPES.Informer).toDynamicValue((ctx) => deps(ctx).services as AclDeps['services']);
      }
      // A dry run is read-only everywhere: it neither consumes the events queue (a receive hides a
      // message from production, a delete loses it) nor takes the cluster's lock.
      if (config.eventsQueueUrl && !config.dryRun) {
        bind(TYPES.Runnable).toDynamicValue((ctx) =>
          createEventConsumer(ctx, deps(ctx), settings.clients, settings),
        );
      }
      const elected = config.leaderElection !== undefined && !config.dryRun;
      const leaderId = Symbol.for(`ecs-acl-controller.Leadership/${config.cluster}`);
      if (elected) {
        bind<Leadership>(leaderId).toDynamicValue((ctx) =>
          createClusterLeaderElector(
            ctx,
            config.cluster,
            config.leaderElection as NonNullable<AclControllerConfig['leaderElection']>,
            settings.clients.consul,
          ),
        );
        bind(TYPES.Leadership).toDynamicValue((ctx) => ctx.get<Leadership>(leaderId));
      }
      bind(TYPES.ControllerPlugin).toDynamicValue((ctx) => new ServiceTokenController(deps(ctx)));
      bind(TYPES.ControllerPlugin).toDynamicValue(
        (ctx) =>
          new ClientTokenController(
            deps(ctx),
            ctx.get<OpsServerProbes>(TYPES.Probes),
            elected ? ctx.get<Leadership>(leaderId).leading$ : undefined,
          ),
      );
      bind(TYPES.ControllerPlugin).toDynamicValue((ctx) => new GarbageCollectorController(deps(ctx)));
      if (config.partitionsEnabled && config.partition !== undefined) {
        const partition = config.partition;
        bind(TYPES.ControllerPlugin).toDynamicValue((ctx) => {
          const d = deps(ctx);
          return new TenancyController({
            name: scopedName(TENANCY_CONTROLLER),
            group: config.cluster,
            config: { dryRun: config.dryRun, partition },
            acl: d.acl,
            tenancy: d.tenancy,
            logger: d.logger.child({ controller: TENANCY_CONTROLLER }),
            changed: (change) => d.metrics.tenancyChanges.inc({ change }),
            sources: [d.tasks, ...(d.services ? [d.services] : [])],
          });
        });
      }
    }
  });
}

/** Clusters, secret prefixes and client secrets must differ, or two clusters would fight over a secret. */
function assertDistinctClusters(configs: readonly AclControllerConfig[]): void {
  if (configs.length === 0) throw new Error('aclControllersModule needs at least one cluster');
  const fields = [
    ['cluster', (c: AclControllerConfig) => c.cluster],
    ['secret name prefix', (c: AclControllerConfig) => c.secretNamePrefix],
    ['client secret ARN', (c: AclControllerConfig) => c.clientSecretArn],
  ] as const;
  for (const [label, of] of fields) {
    const values = configs.map(of);
    const repeated = values.find((value, index) => values.indexOf(value) !== index);
    if (repeated !== undefined)
      throw new Error(`two clusters share the ${label} "${repeated}"; each needs its own`);
  }
  const overlap = overlappingPrefixes(configs.map((config) => config.secretNamePrefix));
  if (overlap !== undefined) throw new Error(overlap);
}
