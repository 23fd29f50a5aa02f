/**
 * The flags of `ecs-acl-controller acl-controller`: consul-ecs's, plus ours. Parsing turns them
 * into an AclControllerConfig and run options, or a UsageError that names the flag.
 */
import { type AclControllerConfig } from '../../controllers/shared/acl-config.js';
import { type LogLevel, parseLogLevel } from '../log/logger.js';
import { hostname } from 'node:os';

import { UsageError } from './command.js';
import { type FlagSpec, flagValue, parseDuration, parseGoFlags } from './go-flags.js';

export const ACL_CONTROLLER_FLAGS: readonly FlagSpec[] = [
  {
    name: 'consul-client-secret-arn',
    kind: 'string',
    help: 'ARN of the secret holding the shared Consul client token (required).',
  },
  { name: 'secret-name-prefix', kind: 'string', help: 'Prefix of the per-service token secrets (required).' },
  {
    name: 'partitions-enabled',
    kind: 'bool',
    help: 'Enable admin partitions and namespaces (Consul Enterprise).',
    default: 'false',
  },
  {
    name: 'partition',
    kind: 'string',
    help: 'The admin partition to serve; needs -partitions-enabled.',
    default: 'default',
  },
  {
    name: 'cluster',
    kind: 'string',
    help: 'The ECS cluster; otherwise read from ECS_CONTAINER_METADATA_URI_V4.',
  },
  {
    name: 'resync-interval',
    kind: 'duration',
    help: 'Full relist period of the ECS and Consul caches.',
    default: '30s',
  },
  {
    name: 'gc-grace-period',
    kind: 'duration',
    help: 'How long a service may have no running mesh task before its tokens are deleted; 0 deletes at once.',
    default: '2m',
  },
  { name: 'concurrency', kind: 'int', help: 'Workers of the service-token controller.', default: '4' },
  {
    name: 'listen-addr',
    kind: 'string',
    help: 'Address of /metrics, /healthz and /readyz.',
    default: '0.0.0.0:8080',
  },
  { name: 'log-level', kind: 'string', help: 'debug, info, warn or error.', default: 'info' },
  {
    name: 'log-format',
    kind: 'string',
    help: 'json, text, or auto (text on a terminal, JSON lines otherwise, as in containers).',
    default: 'auto',
  },
  { name: 'dry-run', kind: 'bool', help: 'Log every intended change, and change nothing.', default: 'false' },
  {
    name: 'once',
    kind: 'bool',
    help: 'One full reconcile, then exit: 0 if converged, 1 if not.',
    default: 'false',
  },
  {
    name: 'create-secrets',
    kind: 'bool',
    help: 'Create missing per-service secrets, tagged as ours.',
    default: 'false',
  },
  {
    name: 'secret-recheck-interval',
    kind: 'duration',
    help: 'How often a healthy service has its secret re-read.',
    default: '5m',
  },
  {
    name: 'pre-provision',
    kind: 'bool',
    help: 'Give ACTIVE mesh ECS services their token before their first task.',
    default: 'true',
  },
  {
    name: 'events-queue-url',
    kind: 'string',
    help: 'SQS queue with the cluster\'s "ECS Task State Change" events (from EventBridge); enables event-driven updates.',
  },
  {
    name: 'ecs-read-rate',
    kind: 'int',
    help: 'Client-side limit of ECS read calls per second, per throttling bucket.',
    default: '10',
  },
  {
    name: 'leader-election',
    kind: 'bool',
    help: "Reconcile only while holding the cluster's Consul lock (run several replicas for HA).",
    default: 'false',
  },
  {
    name: 'leader-election-key',
    kind: 'string',
    help: 'Consul KV key of the lock.',
    default: 'ecs-acl-controller/<cluster>/leader',
  },
  { name: 'leader-election-ttl', kind: 'duration', help: 'Session TTL of the lock.', default: '15s' },
  {
    name: 'leader-election-renew',
    kind: 'duration',
    help: 'How often the session is renewed.',
    default: '5s',
  },
  {
    name: 'leader-election-lock-delay',
    kind: 'duration',
    help: 'Consul lock-delay after a lost lock.',
    default: '1s',
  },
  {
    name: 'graceful-shutdown-timeout',
    kind: 'duration',
    help: 'How long shutdown may wait for in-flight work.',
    default: '30s',
  },
];

export interface AclControllerRun {
  readonly config: Omit<AclControllerConfig, 'cluster'> & { readonly cluster?: string };
  readonly listenHost: string;
  readonly listenPort: number;
  readonly logLevel: LogLevel;
  readonly logFormat: 'json' | 'text';
  readonly once: boolean;
  readonly gracefulShutdownMs: number;
}

export function parseAclControllerFlags(args: readonly string[]): AclControllerRun {
  const flags = parseGoFlags(args, ACL_CONTROLLER_FLAGS);
  const get = (name: string) =>
    flagValue(flags, ACL_CONTROLLER_FLAGS.find((spec) => spec.name === name) as FlagSpec);
  const bool = (name: string) => ['1', 't', 'true'].includes((get(name) ?? 'false').toLowerCase());
  const duration = (name: string) => parseDuration(get(name) as string, name);
  const required = (name: string) => {
    const value = get(name);
    if (!value) throw new UsageError(`flag -${name} is required`);
    return value;
  };
  const partitionsEnabled = bool('partitions-enabled');
  if (flags.has('partition') && !partitionsEnabled) {
    throw new UsageError('flag -partition needs -partitions-enabled');
  }
  const concurrency = Number(get('concurrency'));
  if (concurrency < 1 || concurrency > 64) throw new UsageError('flag -concurrency must be between 1 and 64');
  if (duration('leader-election-renew') >= duration('leader-election-ttl')) {
    throw new UsageError('flag -leader-election-renew must be shorter than -leader-election-ttl');
  }
  const eventsQueueUrl = get('events-queue-url');
  // With events, the full resync is only a safety net: 10 minutes unless set explicitly.
  const resyncIntervalMs =
    eventsQueueUrl && !flags.has('resync-interval') ? 600_000 : duration('resync-interval');
  const ecsReadRate = Number(get('ecs-read-rate'));
  if (ecsReadRate < 1 || ecsReadRate > 1000)
    throw new UsageError('flag -ecs-read-rate must be between 1 and 1000');
  if (resyncIntervalMs < 1000) throw new UsageError('flag -resync-interval must be at least 1s');
  const requestedFormat = get('log-format');
  if (requestedFormat !== 'json' && requestedFormat !== 'text' && requestedFormat !== 'auto') {
    throw new UsageError('flag -log-format must be json, text or auto');
  }
  const logFormat = requestedFormat === 'auto' ? (process.stdout.isTTY ? 'text' : 'json') : requestedFormat;
  let logLevel: LogLevel;
  try {
    logLevel = parseLogLevel(get('log-level') as string);
  } catch (error) {
    throw new UsageError(`flag -log-level: ${(error as Error).message}`);
  }
  const listen = get('listen-addr') as string;
  const match = /^(.*):(\d+)$/.exec(listen);
  if (!match || Number(match[2]) > 65535)
    throw new UsageError(`flag -listen-addr: "${listen}" is not host:port`);
  return {
    config: {
      cluster: get('cluster'),
      secretNamePrefix: required('secret-name-prefix'),
      clientSecretArn: required('consul-client-secret-arn'),
      partitionsEnabled,
      partition: partitionsEnabled ? (get('partition') ?? 'default') : undefined,
      gcGracePeriodMs: duration('gc-grace-period'),
      resyncIntervalMs,
      concurrency,
      dryRun: bool('dry-run'),
      createSecrets: bool('create-secrets'),
      secretRecheckMs: duration('secret-recheck-interval'),
      preProvision: bool('pre-provision'),
      leaderElection: bool('leader-election')
        ? {
            identity: `${hostname()}/${process.pid}`,
            key: flags.has('leader-election-key') ? get('leader-election-key') : undefined,
            ttlMs: duration('leader-election-ttl'),
            renewMs: duration('leader-election-renew'),
            lockDelayMs: duration('leader-election-lock-delay'),
          }
        : undefined,
      eventsQueueUrl,
      ecsReadRate,
    },
    listenHost: match[1] || '0.0.0.0',
    listenPort: Number(match[2]),
    logLevel,
    logFormat,
    once: bool('once'),
    gracefulShutdownMs: duration('graceful-shutdown-timeout'),
  };
}
