/**
 * AclControllerConfig: the settings every ACL controller of one cluster shares, resolved from
 * flags and environment by the CLI.
 */
import { type ServiceRef } from './service-ref.js';

export interface AclControllerConfig {
  /** The ECS cluster, as given (short name or ARN); it is also the ownership mark in descriptions. */
  readonly cluster: string;
  /**
   * The cluster's other name (its ARN when `cluster` is a short name, or the other way round):
   * objects described with it are ours too, so tokens consul-ecs made with either are adopted.
   */
  readonly clusterAliases?: readonly string[];
  readonly secretNamePrefix: string;
  readonly clientSecretArn: string;
  readonly partitionsEnabled: boolean;
  /** The admin partition served when partitions are enabled ("default" unless set). */
  readonly partition?: string;
  /** How long a service must be without running mesh tasks before its tokens are deleted. */
  readonly gcGracePeriodMs: number;
  readonly resyncIntervalMs: number;
  /** Full relist period of the ECS services (pre-provisioning); `resyncIntervalMs` when unset. */
  readonly serviceResyncIntervalMs?: number;
  readonly concurrency: number;
  /** Log intended changes instead of making them. */
  readonly dryRun: boolean;
  /** Create missing per-service secrets (tagged as ours) instead of expecting Terraform to. */
  readonly createSecrets: boolean;
  /** How often a service whose token looks right has its secret re-read anyway. */
  readonly secretRecheckMs: number;
  /** Give ACTIVE mesh ECS services their token before any task runs. */
  readonly preProvision: boolean;
  /** SQS queue fed by EventBridge with this cluster's "ECS Task State Change" events. */
  readonly eventsQueueUrl?: string;
  /** Client-side rate of ECS read calls per second (per throttling bucket). */
  readonly ecsReadRate: number;
  /**
   * How many ECS read calls may pass at once before `ecsReadRate` applies (per throttling bucket);
   * default DEFAULT_ECS_READ_BURST.
   */
  readonly ecsReadBurst?: number;
  /**
   * Client-side rate of Secrets Manager writes per second, shared by every cluster of the process
   * (AWS's limit is per account); default DEFAULT_SECRETS_WRITE_RATE.
   */
  readonly secretsWriteRate?: number;
  /** Reconcile only while holding the cluster's Consul lock. */
  readonly leaderElection?: LeaderElectionConfig;
}

/** Secrets Manager allows about 50 UpdateSecret/PutSecretValue a second per account: stay under it. */
export const DEFAULT_SECRETS_WRITE_RATE = 40;

/**
 * ECS's read buckets hold 100 calls (cluster resources: ListTasks, DescribeTasks; services) or 50
 * (task definitions) and refill at 20/s, per account: a cold start may spend up to half of the
 * larger ones at once, then `ecsReadRate`.
 */
export const DEFAULT_ECS_READ_BURST = 50;

export interface LeaderElectionConfig {
  /** Who this replica is, written into the lock (hostname or task ARN; never a secret). */
  readonly identity: string;
  readonly key?: string;
  readonly ttlMs?: number;
  readonly renewMs?: number;
  readonly lockDelayMs?: number;
}

/**
 * The admin partition this cluster's controllers serve: `-partition` ("default" when unset) with
 * partitions enabled, undefined without. Only this partition's tasks, ECS services, tokens and
 * policies are ever acted on (consul-ecs v0.4.3 skips tasks "in external partition").
 */
export function servedPartition(config: AclControllerConfig): string | undefined {
  return config.partitionsEnabled ? (config.partition ?? 'default') : undefined;
}

/** Every name a description may give our cluster: the one we write first, then its aliases. */
export function ownedClusterNames(config: AclControllerConfig): readonly string[] {
  return [config.cluster, ...(config.clusterAliases ?? [])];
}

/** consul-ecs's secret naming: `<prefix>-<svc>`, or `<prefix>-<svc>-<ns>-<partition>`. */
export function secretNameFor(config: AclControllerConfig, service: ServiceRef): string {
  if (!config.partitionsEnabled || service.partition === undefined)
    return `${config.secretNamePrefix}-${service.name}`;
  return `${config.secretNamePrefix}-${service.name}-${service.namespace ?? 'default'}-${service.partition}`;
}

/** The tag put on secrets this controller creates with `-create-secrets`. */
export const CREATED_BY_TAG = { 'ecs-acl-controller/created-by': 'ecs-acl-controller' } as const;

/**
 * Why two served clusters' secret prefixes cannot coexist, or undefined if they can: when one is
 * the other followed by "-", their secrets collide (`prod` + `web-api` = `prod-web` + `api`).
 */
export function overlappingPrefixes(prefixes: readonly string[]): string | undefined {
  for (const a of prefixes) {
    for (const b of prefixes) {
      if (a !== b && b.startsWith(`${a}-`)) {
        return `prefixes "${a}" and "${b}" overlap: "${a}-<service>" can name a secret of "${b}"; use prefixes where neither starts with the other followed by "-"`;
      }
    }
  }
  return undefined;
}
