/**
 * `ecs-acl-controller controller`: the composition root for the consul-ecs v0.7+ era, a drop-in
 * for consul-ecs v0.10's `controller` under terraform-aws-consul-ecs `modules/controller`: its
 * configuration comes from CONSUL_ECS_CONFIG_JSON (see controller-config), the token from
 * CONSUL_HTTP_TOKEN (or, when empty, its own `consulLogin` with the task role: consul-login.ts),
 * the cluster from task metadata. It runs, on the shared framework, the
 * cleanups of stopped tasks: login tokens (login-token-gc) and catalog services (catalog-cleanup);
 * flags are ours only (upstream's module passes none).
 *
 * Exit codes as `acl-controller`: 0 clean stop; 1 fatal error; 2 bad configuration or
 * environment; 4 shutdown timed out.
 */
import { readFileSync } from 'node:fs';

import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';

import { arnScope } from '../../src/aws/arn.js';
import { type Command, UsageError } from '../../src/cli/command.js';
import {
  type FlagSpec,
  flagValue,
  formatFlagHelp,
  parseDuration,
  parseGoFlags,
} from '../../src/cli/go-flags.js';
import { parseListenAddress } from '../../src/cli/listen-address.js';
import { type ConsulSettings } from '../../src/consul/consul-settings.js';
import { createContainer } from '../../src/di/container.js';
import { frameworkModule } from '../../src/di/framework-module.js';
import { TYPES } from '../../src/di/types.js';
import { type Logger } from '../../src/log/logger.js';
import { EXIT_CODES } from '../../src/manager/errors.js';
import { type Manager } from '../../src/manager/manager.js';
import { awsClientOptions } from '../module/acl-settings.js';
import { iamAuthCluster, taskCleanupModule } from '../module/task-cleanup-module.js';
import { boundPrincipalArn } from '../domain/iam-auth-resources.js';
import { requireCredentials, resolveRegion, TaskMetadataSource } from './aws-environment.js';
import { type ControllerSettings, parseControllerConfig } from './controller-config.js';
import { leaderElectionFlags, parseLeaderElection } from './leader-election-flags.js';
import { runUntilSignal } from './run-until-signal.js';
import { loginAsController } from './consul-login.js';

const FLAGS: readonly FlagSpec[] = [
  {
    name: 'gc-grace-period',
    kind: 'duration',
    help: "How long a stopped task's login tokens are kept (draining tasks keep theirs).",
    default: '2m',
  },
  {
    name: 'resync-interval',
    kind: 'duration',
    help: 'Full relist of tasks and login tokens (default 30s; 10m with -events-queue-url).',
    default: '30s',
  },
  {
    name: 'events-queue-url',
    kind: 'string',
    help: 'This controller\'s own SQS queue of the cluster\'s "ECS Task State Change" events (from EventBridge; never a queue another consumer reads): stopped tasks are seen at once, and the full relist becomes a safety net.',
    default: '',
  },
  {
    name: 'listen-addr',
    kind: 'string',
    help: '/metrics, /healthz, /readyz: host:port.',
    default: '0.0.0.0:8080',
  },
  {
    name: 'ecs-read-rate',
    kind: 'int',
    help: 'Client-side limit of ECS read calls per second.',
    default: '10',
  },
  // Its own lock, not acl-controller's: during a migration both eras may lead one cluster.
  ...leaderElectionFlags('ecs-acl-controller/<cluster>/controller-leader'),
];

export const controllerCommand: Command = {
  name: 'controller',
  summary:
    'Clean up after mesh tasks that log in with the IAM auth method (drop-in for consul-ecs v0.10 controller).',
  async run(args) {
    if (args.includes('-help') || args.includes('--help') || args.includes('-h')) {
      console.log(
        `Usage: ecs-acl-controller controller [flags]\n\nConfiguration: CONSUL_ECS_CONFIG_JSON (consul-ecs v0.10's schema), CONSUL_HTTP_TOKEN.\n\n${formatFlagHelp(FLAGS)}`,
      );
      return EXIT_CODES.ok;
    }
    const flags = parseGoFlags(args, FLAGS);
    const value = (name: string) =>
      flagValue(flags, FLAGS.find((spec) => spec.name === name) as FlagSpec) as string;
    const gracePeriodMs = parseDuration(value('gc-grace-period'), 'gc-grace-period');
    const eventsQueueUrl = parseQueueUrl(value('events-queue-url'));
    // With events, the full relist is only a safety net: 10 minutes unless set explicitly.
    const resyncIntervalMs =
      eventsQueueUrl !== undefined && !flags.has('resync-interval')
        ? 600_000
        : parseDuration(value('resync-interval'), 'resync-interval');
    if (resyncIntervalMs < 1000) throw new UsageError('flag -resync-interval must be at least 1s');
    const ecsReadRate = Number(value('ecs-read-rate'));
    if (!(ecsReadRate >= 1 && ecsReadRate <= 1000))
      throw new UsageError('flag -ecs-read-rate must be between 1 and 1000');
    const listen = parseListenAddress(value('listen-addr'), 'listen-addr');
    const leaderElection = parseLeaderElection(flags, FLAGS, 1);
    const settings = parseControllerConfig(process.env);

    const metadata = new TaskMetadataSource(process.env.ECS_CONTAINER_METADATA_URI_V4);
    const cluster = await metadata.cluster();
    const task = await metadata.optional();
    const scope = arnScope(task?.taskArn) ?? arnScope(cluster);
    if (scope === undefined)
      throw new UsageError(
        'the AWS account is unknown: task metadata has no TaskARN and the cluster is not an ARN',
      );
    const region = await resolveRegion(process.env, metadata);
    const ecs = new ECSClient({ ...awsClientOptions(), region });
    const sqs = eventsQueueUrl !== undefined ? new SQSClient({ ...awsClientOptions(), region }) : undefined;
    const destroyClients = () => {
      ecs.destroy();
      sqs?.destroy();
    };
    await requireCredentials(ecs).catch((error: unknown) => {
      destroyClients();
      throw error;
    });
    const server = consulSettings(settings);
    // Without CONSUL_HTTP_TOKEN, consulLogin is on (the configuration parser checked it).
    const login =
      settings.token === undefined
        ? await loginAsController({
            login: settings.login as NonNullable<ControllerSettings['login']>,
            consul: server,
            cluster,
            taskArn: task?.taskArn,
            region,
            ecs,
          }).catch((error: unknown) => {
            destroyClients();
            throw error;
          })
        : undefined;
    const consul = { ...server, token: settings.token ?? login?.token };
    const container = createContainer(
      frameworkModule({
        logLevel: settings.logLevel,
        logFormat: process.stdout.isTTY ? 'text' : 'json',
        manager: {
          opsHost: listen.host,
          opsPort: listen.port,
          cacheSyncTimeoutMs: 0,
          gracefulShutdownMs: 30_000,
        },
      }),
      taskCleanupModule({
        clusters: [
          {
            ...iamAuthCluster(cluster, scope),
            // As consul-ecs v0.10: the roles under iamRolePath in this task's account may log in,
            // and the synthetic node has this task's address (127.0.0.1 when it has none).
            resources: {
              boundPrincipalArn: boundPrincipalArn(scope.account, settings.iamRolePath),
              nodeAddress: task?.ipv4 ?? '127.0.0.1',
              dryRun: false,
              partitionsEnabled: settings.partitionsEnabled,
            },
            ...(leaderElection !== undefined ? { leaderElection } : {}),
            ...(eventsQueueUrl !== undefined ? { eventsQueueUrl } : {}),
          },
        ],
        ecs,
        sqs,
        consul,
        partition: settings.partitionsEnabled ? settings.partition : undefined,
        gracePeriodMs,
        resyncIntervalMs,
        ecsReadRate,
      }),
    );
    const logger = container.get<Logger>(TYPES.Logger);
    logger.info('starting controller', {
      cluster,
      consul: `${settings.consul.https ? 'https' : 'http'}://${settings.consul.host}:${settings.consul.port}`,
      partition: settings.partition,
      gracePeriodMs,
      leaderElection: leaderElection !== undefined,
      consulLogin: login !== undefined,
      events: eventsQueueUrl !== undefined,
      resyncIntervalMs,
    });
    try {
      return await runUntilSignal(container.get<Manager>(TYPES.Manager), logger);
    } finally {
      const failed = await login?.logout();
      if (failed)
        logger.warn('consulLogin: logout failed; the token is removed once this task is gone', {
          error: failed,
        });
      else if (login) logger.info('consulLogin: logged out');
      destroyClients();
    }
  },
};

/** The Consul HTTP client settings of a v0.10 configuration: hosts, port, HTTPS and its CA. */
function consulSettings(settings: ControllerSettings): ConsulSettings {
  const { consul } = settings;
  let caPem = consul.caCertPem;
  if (caPem === undefined && consul.caCertFile !== undefined) {
    try {
      caPem = readFileSync(consul.caCertFile, 'utf8');
    } catch (error) {
      throw new UsageError(
        `CONSUL_ECS_CONFIG_JSON: consulServers caCertFile "${consul.caCertFile}" cannot be read (${(error as Error).message})`,
      );
    }
  }
  return {
    address: new URL(`${consul.https ? 'https' : 'http'}://${consul.host}:${consul.port}`),
    token: settings.token,
    ...(caPem !== undefined ? { caPem } : {}),
    ...(consul.tlsServerName !== undefined && consul.tlsServerName !== consul.host
      ? { tlsServerName: consul.tlsServerName }
      : {}),
    verifyTls: true,
    timeoutMs: 30_000,
    maxRetries: 3,
  };
}

/** The -events-queue-url flag: empty for none, else an http(s) URL (an SQS queue's). */
function parseQueueUrl(text: string): string | undefined {
  if (text === '') return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`flag -events-queue-url: "${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`flag -events-queue-url: "${text}" is not an http(s) URL`);
  return text;
}
