/**
 * aclControllersModule: binds everything the ACL controllers of one cluster need: the AWS and
 * Consul clients, the three informers (ECS tasks, owned Consul tokens, owned Consul policies) and
 * the three controller plugins (service tokens, client token, garbage collector).
 */
import { randomUUID } from 'node:crypto';

import { type ECSClient } from '@aws-sdk/client-ecs';
import { type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type SQSClient } from '@aws-sdk/client-sqs';
import { ContainerModule } from 'inversify';
import { type Registry } from 'prom-client';
import { type SchedulerLike } from 'rxjs';

import { CallRateLimiter } from '../src/aws/call-rate-limiter.js';
import { createEcsServiceInformer } from '../src/aws/ecs-service-informer.js';
import { EcsServiceLister } from '../src/aws/ecs-service-lister.js';
import { createEcsTaskInformer } from '../src/aws/ecs-task-informer.js';
import { EcsTaskLister } from '../src/aws/ecs-task-lister.js';
import { SecretStore } from '../src/aws/secret-store.js';
import { TaskDefinitionCache } from '../src/aws/task-definition-cache.js';
import { TaskEventConsumer } from '../src/aws/task-event-consumer.js';
import { TaskEventMetrics } from '../src/aws/task-event-metrics.js';
import { type InformerObserver } from '../src/cache/informer-observer.js';
import { AclApi } from '../src/consul/acl-api.js';
import { createPolicyInformer, createTokenInformer } from '../src/consul/acl-informers.js';
import { type AclScope } from '../src/consul/acl-types.js';
import { type ConsulSettings } from '../src/consul/consul-settings.js';
import { ConsulTransport } from '../src/consul/consul-transport.js';
import { TYPES } from '../src/di/types.js';
import { LeaderElector } from '../src/leaderelection/leader-elector.js';
import { type Logger } from '../src/log/logger.js';
import { type ApiMetrics } from '../src/metrics/api-metrics.js';
import { type Clock, type Random } from '../src/time/clock.js';
import { ClientTokenController } from './client-token/client-token-controller.js';
import { GarbageCollectorController } from './garbage-collector/garbage-collector-controller.js';
import { ServiceTokenController } from './service-token/service-token-controller.js';
import { type AclControllerConfig } from './shared/acl-config.js';
import { ACL_DEPS, type AclDeps } from './shared/acl-deps.js';
import { AclMetrics } from './shared/acl-metrics.js';

/** Longest one AWS API attempt may take before it fails with TimeoutError (and is retried). */
export const AWS_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Options for the controller's AWS SDK clients. The SDK has no request timeout by default, so a
 * hung ECS or Secrets Manager endpoint would hold a worker forever; and `requestTimeout` alone only
 * logs a warning in this SDK (@smithy/node-http-handler) unless `throwOnRequestTimeout` is set.
 */
export function awsClientOptions(requestTimeoutMs: number = AWS_REQUEST_TIMEOUT_MS) {
  return {
    customUserAgent: 'ecs-acl-controller',
    requestHandler: {
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(requestTimeoutMs, 5_000),
    },
  };
}

export interface AclClients {
  readonly ecs: ECSClient;
  /** Needed only with `eventsQueueUrl`. */
  readonly sqs?: SQSClient;
  readonly secretsManager: SecretsManagerClient;
  readonly consul: ConsulSettings;
}

export interface AclModuleSettings {
  readonly config: AclControllerConfig;
  readonly clients: AclClients;
  /** Generates token IDs; random UUIDs unless a test injects its own. */
  readonly newId?: () => string;
  /** Longest blocking-query wait on Consul lists (default 5 minutes). */
  readonly watchWaitMs?: number;
  /** SQS long-polling wait of the event consumer (default 20 s). */
  readonly eventsWaitSeconds?: number;
}

export function aclControllersModule(settings: AclModuleSettings): ContainerModule {
  const { config, clients } = settings;
  return new ContainerModule(({ bind }) => {
    bind<AclDeps>(ACL_DEPS).toDynamicValue((ctx) => {
      const clock = ctx.get<Clock>(TYPES.Clock);
      const scheduler = ctx.get<SchedulerLike>(TYPES.Scheduler);
      const observer = ctx.get<InformerObserver>(TYPES.InformerObserver);
      const api = ctx.get<ApiMetrics>(TYPES.ApiMetrics);
      const acl = new AclApi(new ConsulTransport(clients.consul, clock, api, ctx.get<Random>(TYPES.Random)));
      const scope: AclScope = config.partitionsEnabled
        ? { partition: config.partition ?? 'default', namespace: '*' }
        : {};
      const aclInformer = {
        acl,
        cluster: config.cluster,
        scope,
        resyncPeriodMs: config.resyncIntervalMs,
        watchWaitMs: settings.watchWaitMs,
        scheduler,
        observer,
      };
      // One client-side bucket per ECS throttling bucket: task reads, and the other reads.
      const taskReads = new CallRateLimiter(clock, config.ecsReadRate);
      const otherReads = new CallRateLimiter(clock, config.ecsReadRate);
      const taskDefinitions = new TaskDefinitionCache(clients.ecs, clock, api, otherReads);
      const taskLister = new EcsTaskLister({
        ecs: clients.ecs,
        cluster: config.cluster,
        partitionsEnabled: config.partitionsEnabled,
        clock,
        observer: api,
        limiter: taskReads,
      });
      return {
        config,
        clock,
        acl,
        logger: ctx.get<Logger>(TYPES.Logger),
        metrics: new AclMetrics(ctx.get<Registry>(TYPES.Registry)),
        secrets: new SecretStore(clients.secretsManager, clock, api),
        newId: settings.newId ?? randomUUID,
        tasks: createEcsTaskInformer({
          lister: taskLister,
          resyncPeriodMs: config.resyncIntervalMs,
          scheduler,
          observer,
        }),
        services: config.preProvision
          ? createEcsServiceInformer({
              lister: new EcsServiceLister({
                ecs: clients.ecs,
                cluster: config.cluster,
                partitionsEnabled: config.partitionsEnabled,
                taskDefinitions,
                clock,
                observer: api,
                limiter: otherReads,
              }),
              resyncPeriodMs: config.resyncIntervalMs,
              scheduler,
              observer,
            })
          : undefined,
        taskDefinitions,
        taskLister,
        tokens: createTokenInformer(aclInformer),
        policies: createPolicyInformer(aclInformer),
      };
    });
    bind(TYPES.Informer).toDynamicValue((ctx) => ctx.get<AclDeps>(ACL_DEPS).tasks);
    bind(TYPES.Informer).toDynamicValue((ctx) => ctx.get<AclDeps>(ACL_DEPS).tokens);
    bind(TYPES.Informer).toDynamicValue((ctx) => ctx.get<AclDeps>(ACL_DEPS).policies);
    if (config.eventsQueueUrl) {
      const queueUrl = config.eventsQueueUrl;
      bind(TYPES.Runnable).toDynamicValue((ctx) => {
        const deps = ctx.get<AclDeps>(ACL_DEPS);
        if (!clients.sqs) throw new Error('eventsQueueUrl is set but no SQS client was given');
        return new TaskEventConsumer({
          sqs: clients.sqs,
          queueUrl,
          cluster: config.cluster,
          partitionsEnabled: config.partitionsEnabled,
          tasks: deps.tasks,
          lister: deps.taskLister,
          taskDefinitions: deps.taskDefinitions,
          clock: deps.clock,
          random: ctx.get<Random>(TYPES.Random),
          logger: deps.logger,
          observer: ctx.get<ApiMetrics>(TYPES.ApiMetrics),
          metrics: new TaskEventMetrics(ctx.get<Registry>(TYPES.Registry)),
          waitSeconds: settings.eventsWaitSeconds,
        });
      });
    }
    if (config.leaderElection) {
      const election = config.leaderElection;
      bind(TYPES.Leadership).toDynamicValue((ctx) => {
        const clock = ctx.get<Clock>(TYPES.Clock);
        return new LeaderElector(
          {
            name: config.cluster,
            identity: election.identity,
            key: election.key,
            ttlMs: election.ttlMs,
            renewMs: election.renewMs,
            lockDelayMs: election.lockDelayMs,
          },
          {
            transport: new ConsulTransport(clients.consul, clock, ctx.get<ApiMetrics>(TYPES.ApiMetrics)),
            clock,
            registry: ctx.get<Registry>(TYPES.Registry),
            logger: ctx.get<Logger>(TYPES.Logger),
            random: ctx.get<Random>(TYPES.Random),
          },
        );
      });
    }
    if (config.preProvision) {
      bind(TYPES.Informer).toDynamicValue(
        (ctx) => ctx.get<AclDeps>(ACL_DEPS).services as AclDeps['services'],
      );
    }
    bind(TYPES.ControllerPlugin).to(ServiceTokenController);
    bind(TYPES.ControllerPlugin).to(ClientTokenController);
    bind(TYPES.ControllerPlugin).to(GarbageCollectorController);
  });
}
