/**
 * AclMetrics: the ACL controllers' own metrics, beyond the framework's, as seen by one cluster.
 *
 * Invariants:
 * - Every series carries a `cluster` label; the metric objects are shared per registry, so one
 *   process serving several clusters exports one family per metric with a series per cluster.
 * - Labels are bounded (cluster, controller, reason, kind, resource); no service name, ARN or
 *   ID is ever a label. Every series this module knows of exists at zero from the moment a
 *   cluster's view is built.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

import { ScrapeGauge } from '../../src/metrics/scrape-gauge.js';

export type AclErrorKind =
  | 'secret_read'
  | 'secret_write'
  | 'secret_malformed'
  | 'secret_missing'
  | 'consul'
  | 'ecs'
  | 'invalid_service_name'
  | 'invalid_task_tags'
  | 'foreign_token_conflict'
  | 'secret_name_conflict';

const ERROR_KINDS: readonly AclErrorKind[] = [
  'secret_read',
  'secret_write',
  'secret_malformed',
  'secret_missing',
  'consul',
  'ecs',
  'invalid_service_name',
  'invalid_task_tags',
  'foreign_token_conflict',
  'secret_name_conflict',
];

/** What a skip counts: an ECS task, or an ECS service (pre-provisioning). */
export type SkippedResource = 'task' | 'ecs_service';
/** Why a mesh task or ECS service is not served: it belongs to another admin partition. */
export type SkipReason = 'foreign_partition';

const SKIPPED_RESOURCES: readonly SkippedResource[] = ['task', 'ecs_service'];
const SKIP_REASONS: readonly SkipReason[] = ['foreign_partition'];

export type RepairReason =
  | 'token_missing'
  | 'secret_mismatch'
  | 'duplicate'
  | 'drifted'
  | 'secret_malformed'
  | 'foreign_token'
  | 'policy_rules';

type Labels<L extends string> = Partial<Record<L, string>>;

/** A counter whose `cluster` label is already bound. */
export interface ClusterCounter<L extends string> {
  inc(labels: Labels<L>, value?: number): void;
}

/** A gauge with no label but the bound `cluster`. */
export interface ClusterGauge {
  set(value: number): void;
}

/** A histogram with no label but the bound `cluster`. */
export interface ClusterHistogram {
  observe(value: number): void;
}

export class AclMetrics {
  readonly tokensCreated: ClusterCounter<'controller'>;
  readonly tokensDeleted: ClusterCounter<'controller'>;
  readonly tokensRepaired: ClusterCounter<'controller' | 'reason'>;
  /** Computed at scrape time from the provider given here (see ScrapeGauge). */
  readonly provideManagedServices: (count: () => number) => void;
  readonly errors: ClusterCounter<'kind'>;
  readonly skipped: ClusterCounter<'resource' | 'reason'>;
  readonly tenancyChanges: ClusterCounter<'change'>;
  readonly timeToToken: ClusterHistogram;
  readonly clientTokenReady: ClusterGauge;
  /** `acl_controller_feature_enabled{feature}`: 1 while an optional feature works, 0 when denied. */
  readonly featureEnabled: (feature: string) => ClusterGauge;

  constructor(registry: Registry, cluster: string) {
    const shared = (name: string) => registry.getSingleMetric(name);
    const registers = [registry];
    const labelNames = (...names: string[]) => ['cluster', ...names];
    const counter = <L extends string>(name: string, help: string, labels: L[]): ClusterCounter<L> => {
      const family =
        (shared(name) as Counter | undefined) ??
        new Counter({ name, help, labelNames: labelNames(...labels), registers });
      return { inc: (bound, value) => family.inc({ cluster, ...bound }, value) };
    };
    const gauge = (name: string, help: string): ClusterGauge => {
      const family =
        (shared(name) as Gauge | undefined) ?? new Gauge({ name, help, labelNames: labelNames(), registers });
      family.set({ cluster }, 0);
      return { set: (value) => family.set({ cluster }, value) };
    };
    this.tokensCreated = counter(
      'acl_controller_tokens_created_total',
      'Consul ACL tokens created, by controller.',
      ['controller'],
    );
    this.tokensDeleted = counter(
      'acl_controller_tokens_deleted_total',
      'Consul ACL tokens deleted, by controller.',
      ['controller'],
    );
    this.tokensRepaired = counter(
      'acl_controller_tokens_repaired_total',
      'Drift repaired: tokens recreated or rewritten, duplicates removed, secrets rewritten.',
      ['controller', 'reason'],
    );
    const managed = ScrapeGauge.shared(
      'acl_controller_managed_services',
      'Mesh services that currently need a token (a running mesh task, or an ACTIVE mesh ECS service).',
      registry,
    );
    this.provideManagedServices = (count) => managed.provide(cluster, count);
    this.errors = counter(
      'acl_controller_errors_total',
      'Errors by kind: secret read/write, malformed or missing secrets, Consul, ECS, invalid input.',
      ['kind'],
    );
    this.skipped = counter(
      'acl_controller_skipped_total',
      'Mesh tasks and ECS services not served, by resource and reason (foreign_partition: another admin partition).',
      ['resource', 'reason'],
    );
    this.tenancyChanges = counter(
      'acl_controller_tenancy_changes_total',
      'Admin partition, cross-namespace policy and namespaces created or repaired (partitions on), by change.',
      ['change'],
    );
    const timeToTokenName = 'acl_controller_time_to_token_seconds';
    const timeToToken =
      (shared(timeToTokenName) as Histogram | undefined) ??
      new Histogram({
        name: timeToTokenName,
        help: "Time from a new mesh service's first task being seen to its secret and token being ready.",
        labelNames: labelNames(),
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
        registers,
      });
    timeToToken.zero({ cluster });
    this.timeToToken = { observe: (value) => timeToToken.observe({ cluster }, value) };
    this.clientTokenReady = gauge(
      'acl_controller_client_token_ready',
      '1 when the shared Consul client token exists and its secret matches it.',
    );
    const featureName = 'acl_controller_feature_enabled';
    const features =
      (shared(featureName) as Gauge | undefined) ??
      new Gauge({
        name: featureName,
        help: '1 while an optional feature works, 0 while its calls are denied (the task role lacks a permission).',
        labelNames: labelNames('feature'),
        registers,
      });
    this.featureEnabled = (feature) => ({ set: (value) => features.set({ cluster, feature }, value) });
    for (const kind of ERROR_KINDS) this.errors.inc({ kind }, 0);
    for (const resource of SKIPPED_RESOURCES)
      for (const reason of SKIP_REASONS) this.skipped.inc({ resource, reason }, 0);
    for (const controller of ['service-token', 'client-token', 'garbage-collector']) {
      this.tokensCreated.inc({ controller }, 0);
      this.tokensDeleted.inc({ controller }, 0);
    }
  }
}
