/**
 * AclMetrics: the ACL controllers' own metrics, beyond the framework's.
 *
 * Invariants: labels are bounded (controller, reason, kind); no service name, ARN or ID is ever
 * a label. Every series this module knows of exists at zero from the start.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type AclErrorKind =
  | 'secret_read'
  | 'secret_write'
  | 'secret_malformed'
  | 'secret_missing'
  | 'consul'
  | 'ecs'
  | 'invalid_service_name'
  | 'invalid_task_tags'
  | 'foreign_token_conflict';

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
];

export type RepairReason = 'token_missing' | 'secret_mismatch' | 'duplicate' | 'drifted' | 'secret_malformed';

export class AclMetrics {
  readonly tokensCreated: Counter<'controller'>;
  readonly tokensDeleted: Counter<'controller'>;
  readonly tokensRepaired: Counter<'controller' | 'reason'>;
  readonly managedServices: Gauge;
  readonly errors: Counter<'kind'>;
  readonly timeToToken: Histogram;
  readonly clientTokenReady: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.tokensCreated = new Counter({
      name: 'acl_controller_tokens_created_total',
      help: 'Consul ACL tokens created, by controller.',
      labelNames: ['controller'],
      registers,
    });
    this.tokensDeleted = new Counter({
      name: 'acl_controller_tokens_deleted_total',
      help: 'Consul ACL tokens deleted, by controller.',
      labelNames: ['controller'],
      registers,
    });
    this.tokensRepaired = new Counter({
      name: 'acl_controller_tokens_repaired_total',
      help: 'Drift repaired: tokens recreated or rewritten, duplicates removed, secrets rewritten.',
      labelNames: ['controller', 'reason'],
      registers,
    });
    this.managedServices = new Gauge({
      name: 'acl_controller_managed_services',
      help: 'Mesh services that currently need a token (a running mesh task).',
      registers,
    });
    this.errors = new Counter({
      name: 'acl_controller_errors_total',
      help: 'Errors by kind: secret read/write, malformed or missing secrets, Consul, ECS, invalid input.',
      labelNames: ['kind'],
      registers,
    });
    this.timeToToken = new Histogram({
      name: 'acl_controller_time_to_token_seconds',
      help: "Time from a new mesh service's first task being seen to its secret and token being ready.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.clientTokenReady = new Gauge({
      name: 'acl_controller_client_token_ready',
      help: '1 when the shared Consul client token exists and its secret matches it.',
      registers,
    });
    for (const kind of ERROR_KINDS) this.errors.inc({ kind }, 0);
    for (const controller of ['service-token', 'client-token', 'garbage-collector']) {
      this.tokensCreated.inc({ controller }, 0);
      this.tokensDeleted.inc({ controller }, 0);
    }
  }
}
