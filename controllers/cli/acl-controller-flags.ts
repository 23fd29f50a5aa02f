/**
 * The flags of `ecs-acl-controller acl-controller`: consul-ecs's, plus ours. Parsing turns them
 * into an AclControllerConfig and run options, or a UsageError that names the flag.
 */
import {
  type AclControllerConfig,
  DEFAULT_ECS_READ_BURST,
  DEFAULT_SECRETS_WRITE_RATE,
  overlappingPrefixes,
} from '../domain/acl-config.js';
import { type LogLevel, parseLogLevel } from '../../src/log/logger.js';

import { UsageError } from '../../src/cli/command.js';
import {
  type FlagSpec,
  flagValue,
  type ParsedFlags,
  parseDuration,
  parseGoFlags,
} from '../../src/cli/go-flags.js';
import { parseListenAddress } from '../../src/cli/listen-address.js';
import { leaderElectionFlags, parseLeaderElection } from './leader-election-flags.js';

/** One lock per cluster: `controller` has its own, so both eras can lead one cluster during a migration. */
const LEADER_ELECTION_FLAGS = leaderElectionFlags('ecs-acl-controller/<cluster>/leader');

export const ACL_CONTROLLER_FLAGS: readonly FlagSpec[] = [
  {
    name: 'consul-client-secret-arn',
    kind: 'string',
    help: 'ARN of the secret holding the shared Consul client token (required; one per -cluster).',
    repeatable: true,
  },
  {
    name: 'secret-name-prefix',
    kind: 'string',
    help: 'Prefix of the per-service token secrets (required; one per -cluster).',
    repeatable: true,
  },
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
    help: 'The ECS cluster; otherwise read from ECS_CONTAINER_METADATA_URI_V4. Repeat it to serve several clusters, each with its own -secret-name-prefix and -consul-client-secret-arn (given in the same order).',
    repeatable: true,
  },
  {
    name: 'resync-interval',
    kind: 'duration',
    help: 'Full relist period of the ECS and Consul caches.',
    default: '30s',
  },
  {
    name: 'service-resync-interval',
    kind: 'duration',
    help: 'Full relist period of the ECS services (pre-provisioning): 1h with -events-queue-url, else -resync-interval.',
  },
  {
    name: 'gc-grace-period',
    kind: 'duration',
    help: 'How long a service may have no running mesh task before its tokens are deleted; 0 deletes at once.',
    default: '2m',
  },
  {
    name: 'concurrency',
    kind: 'int',
    // 16, not 4: on the bench's AWS latency profile a burst of 40 new services has its tokens in
    // 0.44 s at p99 with 16 workers, 1.11 s with 4 (BENCHMARKS.md).
    help: 'Workers of the service-token controller.',
    default: '16',
  },
  {
    name: 'listen-addr',
    kind: 'string',
    help: 'Address of /metrics, /healthz and /readyz: host:port, [ipv6]:port, or :port (all IPv4 interfaces).',
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
    help: 'SQS queue with the cluster\'s "ECS Task State Change" events (from EventBridge); enables event-driven updates. With several clusters, one per -cluster.',
    repeatable: true,
  },
  {
    name: 'ecs-read-rate',
    kind: 'int',
    help: 'Client-side limit of ECS read calls per second, per throttling bucket.',
    default: '10',
  },
  {
    name: 'ecs-read-burst',
    kind: 'int',
    help: 'How many ECS read calls may pass at once before -ecs-read-rate applies, per throttling bucket (ECS allows 100 or 50 per account).',
    default: String(DEFAULT_ECS_READ_BURST),
  },
  {
    name: 'secrets-write-rate',
    kind: 'int',
    help: 'Client-side limit of Secrets Manager writes per second, for the whole process (AWS allows about 50 per account).',
    default: String(DEFAULT_SECRETS_WRITE_RATE),
  },
  ...LEADER_ELECTION_FLAGS,
  {
    name: 'iam-auth-cluster',
    kind: 'string',
    help: 'Also clean up after the tasks of this ECS cluster that log in with the IAM auth method (consul-ecs v0.5+): their login tokens and catalog services, as `controller` does. Repeatable; a cluster also given as -cluster is served by both eras during a migration.',
    repeatable: true,
  },
  {
    name: 'graceful-shutdown-timeout',
    kind: 'duration',
    help: 'How long shutdown may wait for in-flight work.',
    default: '30s',
  },
];

/** The settings that differ per cluster; the first cluster's name is absent when it is to be discovered. */
export interface ClusterFlags {
  readonly cluster?: string;
  readonly secretNamePrefix: string;
  readonly clientSecretArn: string;
  readonly eventsQueueUrl?: string;
}

export interface AclControllerRun {
  /** The settings shared by every cluster (the per-cluster fields come from `clusters`). */
  readonly config: Omit<AclControllerConfig, keyof ClusterFlags>;
  /** One entry per cluster served, in flag order; never empty. */
  readonly clusters: readonly ClusterFlags[];
  readonly listenHost: string;
  readonly listenPort: number;
  readonly logLevel: LogLevel;
  readonly logFormat: 'json' | 'text';
  readonly once: boolean;
  readonly gracefulShutdownMs: number;
  /** Clusters whose IAM-auth tasks' leftovers are cleaned up too (`-iam-auth-cluster`), in order. */
  readonly iamAuthClusters: readonly string[];
}

export function parseAclControllerFlags(args: readonly string[]): AclControllerRun {
  const flags = parseGoFlags(args, ACL_CONTROLLER_FLAGS);
  const get = (name: string) =>
    flagValue(flags, ACL_CONTROLLER_FLAGS.find((spec) => spec.name === name) as FlagSpec);
  const bool = (name: string) => ['1', 't', 'true'].includes((get(name) ?? 'false').toLowerCase());
  const duration = (name: string) => parseDuration(get(name) as string, name);
  const clusters = perClusterFlags(flags);
  const partitionsEnabled = bool('partitions-enabled');
  if (flags.has('partition') && !partitionsEnabled) {
    throw new UsageError('flag -partition needs -partitions-enabled');
  }
  const concurrency = Number(get('concurrency'));
  if (concurrency < 1 || concurrency > 64) throw new UsageError('flag -concurrency must be between 1 and 64');
  const leaderElection = parseLeaderElection(flags, ACL_CONTROLLER_FLAGS, clusters.length);
  const withEvents = clusters.some((cluster) => cluster.eventsQueueUrl !== undefined);
  // With events, the full resync is only a safety net: 10 minutes unless set explicitly.
  const resyncIntervalMs =
    withEvents && !flags.has('resync-interval') ? 600_000 : duration('resync-interval');
  // Services with running mesh tasks are never described, so a service relist only finds services
  // with no task yet; with events it is a safety net. Without events it is how a new service whose
  // first tasks fail for want of a token gets one: ECS backs off their relaunches, so a task list
  // rarely catches one (relisting services every fifth resync at 10,000 tasks left a burst of new
  // services without tokens for over a minute, instead of under 30 s).
  const serviceResyncIntervalMs = flags.has('service-resync-interval')
    ? duration('service-resync-interval')
    : withEvents
      ? 3_600_000
      : resyncIntervalMs;
  if (serviceResyncIntervalMs < 1000)
    throw new UsageError('flag -service-resync-interval must be at least 1s');
  const ecsReadRate = Number(get('ecs-read-rate'));
  if (ecsReadRate < 1 || ecsReadRate > 1000)
    throw new UsageError('flag -ecs-read-rate must be between 1 and 1000');
  const ecsReadBurst = Number(get('ecs-read-burst'));
  if (ecsReadBurst < 1 || ecsReadBurst > 1000)
    throw new UsageError('flag -ecs-read-burst must be between 1 and 1000');
  const secretsWriteRate = Number(get('secrets-write-rate'));
  if (secretsWriteRate < 1 || secretsWriteRate > 1000)
    throw new UsageError('flag -secrets-write-rate must be between 1 and 1000');
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
  const listen = parseListenAddress(get('listen-addr') as string);
  return {
    clusters,
    config: {
      partitionsEnabled,
      partition: partitionsEnabled ? (get('partition') ?? 'default') : undefined,
      gcGracePeriodMs: duration('gc-grace-period'),
      resyncIntervalMs,
      serviceResyncIntervalMs,
      concurrency,
      dryRun: bool('dry-run'),
      createSecrets: bool('create-secrets'),
      secretRecheckMs: duration('secret-recheck-interval'),
      preProvision: bool('pre-provision'),
      leaderElection,
      ecsReadRate,
      ecsReadBurst,
      secretsWriteRate,
    },
    listenHost: listen.host,
    listenPort: listen.port,
    logLevel,
    logFormat,
    once: bool('once'),
    gracefulShutdownMs: duration('graceful-shutdown-timeout'),
    iamAuthClusters: iamAuthClusters(flags),
  };
}

/**
 * Pairs the per-cluster flags by position: the i-th -secret-name-prefix, -consul-client-secret-arn
 * and -events-queue-url belong to the i-th -cluster. With no -cluster, one unnamed cluster.
 */
function iamAuthClusters(flags: ParsedFlags): string[] {
  const clusters = [...(flags.get('iam-auth-cluster') ?? [])];
  if (clusters.some((cluster) => cluster === ''))
    throw new UsageError('flag -iam-auth-cluster must not be empty');
  const repeated = clusters.find((cluster, index) => clusters.indexOf(cluster) !== index);
  if (repeated !== undefined) throw new UsageError(`flag -iam-auth-cluster "${repeated}" is given twice`);
  return clusters;
}

function perClusterFlags(flags: ParsedFlags): ClusterFlags[] {
  const names = flags.get('cluster') ?? [];
  const count = Math.max(1, names.length);
  const list = (name: string, required: boolean): readonly string[] => {
    const values = flags.get(name) ?? [];
    if (values.some((value) => value === '')) throw new UsageError(`flag -${name} must not be empty`);
    if (required && values.length === 0) throw new UsageError(`flag -${name} is required`);
    if (values.length > 0 && values.length !== count) {
      throw new UsageError(
        `flag -${name} is given ${values.length} times for ${count} cluster(s): give one per -cluster, in the same order`,
      );
    }
    return values;
  };
  const prefixes = list('secret-name-prefix', true);
  const clientSecrets = list('consul-client-secret-arn', true);
  const queues = list('events-queue-url', false);
  const clusters = Array.from({ length: count }, (_, i) => ({
    cluster: names[i],
    secretNamePrefix: prefixes[i],
    clientSecretArn: clientSecrets[i],
    eventsQueueUrl: queues[i],
  }));
  for (const [flag, values] of [
    ['cluster', names],
    ['secret-name-prefix', prefixes],
    ['consul-client-secret-arn', clientSecrets],
    ['events-queue-url', queues],
  ] as const) {
    const repeated = values.find((value, index) => values.indexOf(value) !== index);
    if (repeated !== undefined) {
      throw new UsageError(`flag -${flag} "${repeated}" is given twice: each cluster needs its own`);
    }
  }
  const overlap = overlappingPrefixes(prefixes);
  if (overlap !== undefined) throw new UsageError(`flag -secret-name-prefix: ${overlap}`);
  return clusters;
}
