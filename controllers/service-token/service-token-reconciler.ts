/**
 * ServiceTokenReconciler: gives every mesh service with a running task exactly one Consul token,
 * whose IDs are the ones in the service's secret (consul-ecs's upsert, with repair).
 *
 * Invariants, for a key whose service has a running mesh task:
 * 1. The secret is made complete first (ensureSecretIds), then the token is made to match it.
 * 2. Afterwards exactly one owned token exists for the service: AccessorID and SecretID from the
 *    secret, a service identity for the service, the description that marks it ours.
 *    - missing (deleted out of band): recreated with the secret's IDs;
 *    - SecretID differs from the secret: deleted and recreated (a SecretID cannot be updated);
 *    - service identities or policies drifted: updated in place;
 *    - other owned tokens for the service (duplicates): deleted.
 * 3. A token with the secret's AccessorID that we do not own is never touched: the secret gets
 *    new IDs instead (counted as `foreign_token_conflict`).
 * 4. An invalid service name is a terminal error for that key only.
 * 5. A key that needs no token (no running mesh task, no ACTIVE mesh ECS service) is left alone
 *    here: that is the garbage collector's job.
 * 6. Nothing is written in dry-run mode; every intended change is logged instead.
 * 7. A token that is known good skips the secret read until `secretRecheckMs` has passed.
 */
import { type TokenIds } from '../../src/aws/token-secret.js';
import { TOKENS_BY_SERVICE } from '../../src/consul/acl-informers.js';
import { digestSecret, type OwnedToken, toOwnedToken } from '../../src/consul/owned-acl.js';
import { isValidServiceIdentityName, parseServiceKey, type ServiceRef } from '../../src/mesh/service-ref.js';
import { serviceDescription } from '../../src/mesh/token-description.js';
import { type Reconciler, type ReconcileResult, TerminalError } from '../../src/reconcile/reconciler.js';
import { secretNameFor, servedPartition } from '../shared/acl-config.js';
import { type AclDeps } from '../shared/acl-deps.js';
import { ensureSecretIds } from '../shared/secret-ids.js';
import { serviceNeedsToken, servicesNeedingTokens } from '../shared/service-demand.js';

export const SERVICE_TOKEN_CONTROLLER = 'service-token';

/** What ensureToken found: a token we may not touch, or ours as it is now (index unknown in dry-run). */
type EnsureOutcome = { readonly kind: 'foreign' } | { readonly kind: 'ok'; readonly modifyIndex?: number };

const FOREIGN: EnsureOutcome = { kind: 'foreign' };
const DRY_RUN: EnsureOutcome = { kind: 'ok' };

interface Verified {
  readonly accessorId: string;
  readonly digest: string;
  /** The token's ModifyIndex when verified: any later change to the token is rechecked. */
  readonly modifyIndex: number | undefined;
  readonly at: number;
}

export class ServiceTokenReconciler implements Reconciler {
  /** When each service was first seen needing a token, for the time-to-token histogram. */
  private readonly firstSeen = new Map<string, number>();
  private readonly verified = new Map<string, Verified>();
  /** Services whose token this process has seen ready at least once. */
  private readonly readyOnce = new Set<string>();

  constructor(private readonly deps: AclDeps) {}

  /** Records that `key` started needing a token now, unless it already did. */
  noteNeeded(key: string): void {
    if (!this.firstSeen.has(key)) this.firstSeen.set(key, this.deps.clock.now());
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { metrics } = this.deps;
    metrics.managedServices.set(servicesNeedingTokens(this.deps));
    if (!serviceNeedsToken(this.deps, key)) {
      this.firstSeen.delete(key);
      this.verified.delete(key);
      this.readyOnce.delete(key);
      return;
    }
    const service = parseServiceKey(key);
    if (!isValidServiceIdentityName(service.name)) {
      metrics.errors.inc({ kind: 'invalid_service_name' });
      throw new TerminalError(
        `service name "${service.name}" is not a valid Consul service identity name ` +
          '(lowercase letters, digits and dashes; set the consul.hashicorp.com/service-name tag)',
      );
    }
    if (this.stillVerified(key)) return;
    const context = this.context(service);
    const secretName = secretNameFor(this.deps.config, service);
    let ensured = await ensureSecretIds(this.deps, secretName, context, signal);
    let outcome = await this.ensureToken(service, key, ensured.ids, signal);
    if (outcome.kind === 'foreign') {
      metrics.errors.inc({ kind: 'foreign_token_conflict' });
      this.deps.logger.error('the secret names a token this controller does not own; writing new IDs', {
        ...context,
        accessorId: ensured.ids.accessorId,
      });
      ensured = await ensureSecretIds(this.deps, secretName, context, signal, { forceNew: true });
      outcome = await this.ensureToken(service, key, ensured.ids, signal);
      if (outcome.kind === 'foreign')
        throw new Error(`fresh AccessorID ${ensured.ids.accessorId} is taken by a foreign token`);
    }
    await this.deleteDuplicates(key, ensured.ids.accessorId, context, signal);
    this.recordReady(key, ensured.ids, outcome.modifyIndex);
  }

  private async ensureToken(
    service: ServiceRef,
    key: string,
    ids: TokenIds,
    signal: AbortSignal,
  ): Promise<EnsureOutcome> {
    const { acl, config, logger, metrics } = this.deps;
    const context = { ...this.context(service), accessorId: ids.accessorId };
    const scope = this.scope(service);
    let current: OwnedToken | undefined = this.deps.tokens.store.get(ids.accessorId);
    if (current === undefined || current.secretDigest === undefined) {
      const read = await this.consul(() => acl.readToken(ids.accessorId, scope, signal));
      if (read) {
        current = toOwnedToken(read, config.cluster, servedPartition(config));
        if (current === undefined || current.serviceKey !== key) return FOREIGN;
      }
    }
    const desired = {
      AccessorID: ids.accessorId,
      SecretID: ids.secretId,
      Description: serviceDescription('Token', service, config.cluster),
      ServiceIdentities: [{ ServiceName: service.name }],
    };
    if (
      current &&
      current.secretDigest !== undefined &&
      current.secretDigest !== digestSecret(ids.secretId)
    ) {
      metrics.tokensRepaired.inc({ controller: SERVICE_TOKEN_CONTROLLER, reason: 'secret_mismatch' });
      if (this.dryRun('delete the token whose SecretID differs from the secret', context)) return DRY_RUN;
      await this.consul(() => acl.deleteToken(ids.accessorId, scope, signal));
      logger.warn('deleted token whose SecretID differed from the secret', context);
      metrics.tokensDeleted.inc({ controller: SERVICE_TOKEN_CONTROLLER });
      current = undefined;
    }
    if (current === undefined) {
      if (this.readyOnce.has(key)) {
        metrics.tokensRepaired.inc({ controller: SERVICE_TOKEN_CONTROLLER, reason: 'token_missing' });
        logger.warn("service token was deleted out of band; recreating it with the secret's IDs", context);
      }
      if (this.dryRun('create the service token', context)) return DRY_RUN;
      const created = await this.consul(() => acl.createToken(desired, scope, signal));
      metrics.tokensCreated.inc({ controller: SERVICE_TOKEN_CONTROLLER });
      logger.info('created service token', context);
      return { kind: 'ok', modifyIndex: created.ModifyIndex };
    }
    const drifted =
      current.serviceIdentities.length !== 1 ||
      current.serviceIdentities[0] !== service.name ||
      current.policyNames.length !== 0;
    if (drifted) {
      metrics.tokensRepaired.inc({ controller: SERVICE_TOKEN_CONTROLLER, reason: 'drifted' });
      if (this.dryRun('reset the drifted token', context)) return DRY_RUN;
      const { SecretID: _secret, ...update } = desired;
      const updated = await this.consul(() => acl.updateToken(update, scope, signal));
      logger.warn('reset drifted service token', context);
      return { kind: 'ok', modifyIndex: updated.ModifyIndex };
    }
    return { kind: 'ok', modifyIndex: current.modifyIndex };
  }

  private async deleteDuplicates(
    key: string,
    keep: string,
    context: Record<string, string>,
    signal: AbortSignal,
  ) {
    const { acl, logger, metrics, tokens } = this.deps;
    const scope = this.scope(parseServiceKey(key));
    for (const token of tokens.store.byIndex(TOKENS_BY_SERVICE, key)) {
      if (token.kind !== 'service' || token.accessorId === keep) continue;
      const tokenContext = { ...context, accessorId: token.accessorId };
      metrics.tokensRepaired.inc({ controller: SERVICE_TOKEN_CONTROLLER, reason: 'duplicate' });
      if (this.dryRun('delete a duplicate token', tokenContext)) continue;
      await this.consul(() => acl.deleteToken(token.accessorId, scope, signal));
      metrics.tokensDeleted.inc({ controller: SERVICE_TOKEN_CONTROLLER });
      logger.info('deleted duplicate service token', tokenContext);
    }
  }

  /**
   * `modifyIndex` is the token's as this reconcile left it (from Consul's answer to the create or
   * update, or the token read), so a cache that has not caught up yet does not make the next
   * reconcile re-read the secret; only a later change to the token does.
   */
  private recordReady(key: string, ids: TokenIds, modifyIndex: number | undefined): void {
    const now = this.deps.clock.now();
    this.readyOnce.add(key);
    const first = this.firstSeen.get(key);
    if (first !== undefined) {
      this.deps.metrics.timeToToken.observe((now - first) / 1000);
      this.firstSeen.delete(key);
    }
    if (!this.deps.config.dryRun) {
      this.verified.set(key, {
        accessorId: ids.accessorId,
        digest: digestSecret(ids.secretId),
        modifyIndex: modifyIndex ?? this.deps.tokens.store.get(ids.accessorId)?.modifyIndex,
        at: now,
      });
    }
  }

  /** True when the cached token still matches what we last verified, and the recheck is not due. */
  private stillVerified(key: string): boolean {
    const verified = this.verified.get(key);
    if (!verified) return false;
    const token = this.deps.tokens.store.get(verified.accessorId);
    const fresh = this.deps.clock.now() - verified.at < this.deps.config.secretRecheckMs;
    const onlyOne = this.deps.tokens.store.indexKeys(TOKENS_BY_SERVICE, key).length === 1;
    const unchanged = token?.modifyIndex !== undefined && token.modifyIndex === verified.modifyIndex;
    if (fresh && onlyOne && unchanged && token?.serviceKey === key && token.secretDigest === verified.digest)
      return true;
    this.verified.delete(key);
    return false;
  }

  private dryRun(action: string, context: Record<string, string>): boolean {
    if (!this.deps.config.dryRun) return false;
    this.deps.logger.info(`dry-run: would ${action}`, context);
    return true;
  }

  private async consul<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof Error && error.name !== 'AbortError')
        this.deps.metrics.errors.inc({ kind: 'consul' });
      throw error;
    }
  }

  private scope(service: ServiceRef) {
    return service.partition === undefined
      ? {}
      : { partition: service.partition, namespace: service.namespace };
  }

  private context(service: ServiceRef): Record<string, string> {
    const context: Record<string, string> = { service: service.name, cluster: this.deps.config.cluster };
    if (service.partition !== undefined) {
      context.partition = service.partition;
      context.namespace = service.namespace ?? 'default';
    }
    return context;
  }
}
