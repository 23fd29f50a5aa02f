/**
 * `ecs-acl-controller acl-controller`: the composition root of the ACL controller, a drop-in for
 * consul-ecs's command of the same name. It resolves flags and environment, builds the container,
 * starts the manager, and either runs until SIGTERM/SIGINT or, with `-once`, until converged.
 *
 * With -once it waits until converged, or for two resync intervals plus 10 s from the start
 * (the caches' first sync included).
 * Exit codes: 0 clean stop (or converged with -once); 1 fatal error (or not converged with
 * -once); 2 bad flags or environment; 3 caches never synced; 4 shutdown timed out.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';

import { aclControllersModule } from '../module/acl-module.js';
import { iamAuthCluster, taskCleanupModule } from '../module/task-cleanup-module.js';
import { awsClientOptions } from '../module/acl-settings.js';
import { type AclControllerConfig } from '../domain/acl-config.js';
import { arnScope } from '../../src/aws/arn.js';
import { clusterAliases } from '../domain/cluster-aliases.js';
import { requireCredentials, resolveRegion, TaskMetadataSource } from './aws-environment.js';
import { ConsulSettingsError, consulSettingsFromEnv } from '../../src/consul/consul-settings.js';
import { createContainer } from '../../src/di/container.js';
import { frameworkModule } from '../../src/di/framework-module.js';
import { TYPES } from '../../src/di/types.js';
import { type Logger } from '../../src/log/logger.js';
import { EXIT_CODES } from '../../src/manager/errors.js';
import { type Manager } from '../../src/manager/manager.js';
import { waitConverged } from '../../src/manager/wait-converged.js';
import { type Clock } from '../../src/time/clock.js';
import { type Command, UsageError } from '../../src/cli/command.js';
import { ACL_CONTROLLER_FLAGS, parseAclControllerFlags } from './acl-controller-flags.js';
import { runUntilSignal } from './run-until-signal.js';
import { formatFlagHelp } from '../../src/cli/go-flags.js';

export const aclControllerCommand: Command = {
  name: 'acl-controller',
  summary: 'Provision Consul ACL tokens for mesh tasks of an ECS cluster (drop-in for consul-ecs).',
  async run(args) {
    if (args.includes('-help') || args.includes('--help') || args.includes('-h')) {
      console.log(
        `Usage: ecs-acl-controller acl-controller [flags]\n\n${formatFlagHelp(ACL_CONTROLLER_FLAGS)}`,
      );
      return EXIT_CODES.ok;
    }
    const run = parseAclControllerFlags(args);
    let consul;
    try {
      consul = consulSettingsFromEnv();
    } catch (error) {
      if (error instanceof ConsulSettingsError) throw new UsageError(error.message);
      throw error;
    }
    const metadata = new TaskMetadataSource(process.env.ECS_CONTAINER_METADATA_URI_V4);
    const taskScope = arnScope((await metadata.optional())?.taskArn);
    const configs: AclControllerConfig[] = [];
    for (const cluster of run.clusters) {
      const name = cluster.cluster ?? (await metadata.cluster());
      const scope = arnScope((await metadata.optional())?.taskArn) ?? arnScope(cluster.clientSecretArn);
      configs.push({ ...run.config, ...cluster, cluster: name, clusterAliases: clusterAliases(name, scope) });
    }
    const aws = { ...awsClientOptions(), region: await resolveRegion(process.env, metadata) };
    const ecs = new ECSClient(aws);
    const secretsManager = new SecretsManagerClient(aws);
    await requireCredentials(ecs);
    const withEvents = configs.some((config) => config.eventsQueueUrl !== undefined);
    const sqs = withEvents ? new SQSClient(aws) : undefined;
    const container = createContainer(
      frameworkModule({
        logLevel: run.logLevel,
        logFormat: run.logFormat,
        manager: {
          opsHost: run.listenHost,
          opsPort: run.listenPort,
          cacheSyncTimeoutMs: 0,
          gracefulShutdownMs: run.gracefulShutdownMs,
        },
      }),
      aclControllersModule({
        config: configs,
        clients: { ecs, secretsManager, sqs, consul },
      }),
      ...(run.iamAuthClusters.length > 0
        ? [
            // The consul-ecs v0.5+ era beside the v0.4 one: names always carry the cluster, so
            // they never collide with the ACL module's (a cluster of both eras shares its group,
            // and so its leader election).
            taskCleanupModule({
              // A cluster served in both eras is elected by the ACL module (one group, one lock).
              clusters: run.iamAuthClusters.map((cluster) => ({
                ...iamAuthCluster(cluster, taskScope),
                ...(run.config.leaderElection !== undefined &&
                !run.config.dryRun &&
                !configs.some((config) => config.cluster === cluster)
                  ? { leaderElection: run.config.leaderElection }
                  : {}),
              })),
              ecs,
              consul,
              partition: run.config.partition,
              gracePeriodMs: run.config.gcGracePeriodMs,
              resyncIntervalMs: run.config.resyncIntervalMs,
              ecsReadRate: run.config.ecsReadRate,
              alwaysScopeNames: true,
            }),
          ]
        : []),
    );
    const manager = container.get<Manager>(TYPES.Manager);
    const logger = container.get<Logger>(TYPES.Logger);
    logger.info('starting acl-controller', {
      clusters: configs.map((config) => config.cluster),
      secretNamePrefixes: configs.map((config) => config.secretNamePrefix),
      partitionsEnabled: run.config.partitionsEnabled,
      dryRun: run.config.dryRun,
      once: run.once,
    });
    if (run.config.dryRun && (withEvents || run.config.leaderElection)) {
      logger.warn(
        'dry-run: the events queue is not consumed and no leader-election lock is taken; tasks are seen by relisting',
        { resyncIntervalMs: run.config.resyncIntervalMs },
      );
    }
    try {
      return run.once
        ? await runOnce(manager, container.get<Clock>(TYPES.Clock), logger, run.config.resyncIntervalMs)
        : await runUntilSignal(manager, logger);
    } finally {
      ecs.destroy();
      secretsManager.destroy();
      sqs?.destroy();
    }
  },
};

async function runOnce(
  manager: Manager,
  clock: Clock,
  logger: Logger,
  resyncIntervalMs: number,
): Promise<number> {
  const stopOnSignal = () => void manager.stop();
  process.once('SIGTERM', stopOnSignal);
  process.once('SIGINT', stopOnSignal);
  // The bound covers the caches' first sync too: an unreachable Consul or ECS must not keep a
  // -once run waiting forever (the manager itself waits for the caches without a timeout).
  const deadline = clock.now() + 2 * resyncIntervalMs + 10_000;
  let cancelTimer: () => void = () => undefined;
  const timedOut = new Promise<false>((resolve) => {
    cancelTimer = clock.setTimer(deadline - clock.now(), () => resolve(false));
  });
  const started = await Promise.race([manager.start().then(() => true as const), timedOut]);
  cancelTimer();
  const result = started
    ? await waitConverged(manager.controllers, clock, Math.max(0, deadline - clock.now()))
    : { converged: false, failing: ['caches not synced'] };
  logger.info(result.converged ? 'converged' : 'not converged', { failing: result.failing });
  await manager.stop();
  return result.converged ? EXIT_CODES.ok : EXIT_CODES.fatal;
}
