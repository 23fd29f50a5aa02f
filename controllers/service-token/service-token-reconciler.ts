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
 * 3. Only a token that is the service's own under the ownership rule (token-ownership: our
 *    description for this service and cluster, nothing of the client token's) is ever written,
 *    and every update or delete re-checks that on a fresh read (AclWrites). A secret
 *    naming any other token (another service's, the client token, a foreign one) gets new IDs
 *    instead, and the other token is never touched (counted as `foreign_token_conflict`).
 * 3a. One secret, one service: a service whose secret name is a client secret's, or is held by
 *    another service of any served cluster (SecretNames), is a terminal error for that key
 *    (`secret_name_conflict`); its secret is never read or written.
 * 4. An invalid service name is a terminal error for that key only.
 * 5. A key that needs no token (no running mesh task, no ACTIVE mesh ECS service) is left alone
 *    here: that is the garbage collector's job.
 * 6. Nothing is written in dry-run mode; every intended change is logged instead.
 * 7. A token that is known good skips the secret read until `secretRecheckMs` has passed.
 */
import { type TokenIds } from '../domain/token-secret.js';
import { TOKENS_BY_SERVICE } from '../adapters/acl-informers.js';
import { digestSecret, type OwnedToken, toOwnedToken } from '../adapters/owned-acl.js';
import { isValidServiceIdentityName } from '../domain/service-ref.js';
import { type ResolvedService, resolveService } from '../domain/resolved-service.js';
import { serviceDescription } from '../domain/token-description.js';
import { type Reconciler, type ReconcileResult, TerminalError } from '../../src/reconcile/reconciler.js';
import { ownedClusterNames, servedPartition } from '../domain/acl-config.js';
import { type AclDeps } from '../adapters/acl-deps.js';
import { ensureSecretIds } from '../adapters/secret-ids.js';
import { AclWrites } from '../adapters/acl-writes.js';
import { tokenMarks } from '../domain/token-ownership.js';
import { serviceNeedsToken, servicesNeedingTokens } from '../adapters/service-demand.js';

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

  private readonly writes: AclWrites;

  constructor(private readonly deps: AclDeps) {
    this.writes = new AclWrites(deps);
    // A walk over every cached service: done when scraped, not on each of thousands of reconciles.
    deps.metrics.provideManagedServices(() => servicesNeedingTokens(deps));
  }

  /** Records that `key` started needing a token now, unless it already did. */
  noteNeeded(key: string): void {
    if (!this.firstSeen.has(key)) this.firstSeen.set(key, this.deps.clock.now());
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { metrics } = this.deps;
    const resolved = resolveService(key, this.deps.config);
    const { ref: service, secretName, owner, context } = resolved;
    if (!serviceNeedsToken(this.deps, key)) {
      this.firstSeen.delete(key);
      this.verified.delete(key);
      this.readyOnce.delete(key);
      this.deps.secretNames.release(secretName, owner);
      return;
    }
    if (!isValidServiceIdentityName(service.name)) {
      metrics.errors.inc({ kind: 'invalid_service_name' });
      throw new TerminalError(
        `service name "${service.name}" is not a valid Consul service identity name ` +
          '(lowercase letters, digits and dashes; set the consul.hashicorp.com/service-name tag)',
      );
    }
    const conflict = this.deps.secretNames.claim(secretName, owner);
    if (conflict !== undefined) {
      metrics.errors.inc({ kind: 'secret_name_conflict' });
      throw new TerminalError(`service "${key}" is not served: ${conflict}`);
    }
    if (this.stillVerified(key)) return;
    let ensured = await ensureSecretIds(this.deps, secretName, context, signal);
    let outcome = await this.ensureToken(resolved, ensured.ids, signal);
    if (outcome.kind === 'foreign') {
      metrics.errors.inc({ kind: 'foreign_token_conflict' });
      this.deps.logger.error("the secret names a token that is not this service's own; writing new IDs", {
        ...context,
        accessorId: ensured.ids.accessorId,
      });
      ensured = await ensureSecretIds(this.deps, secretName, context, signal, { forceNew: true });
      outcome = await this.ensureToken(resolved, ensured.ids, signal);
      if (outcome.kind === 'foreign')
        throw new Error(`fresh AccessorID ${ensured.ids.accessorId} is taken by a token that is not ours`);
    }
    await this.deleteDuplicates(resolved, ensured.ids.accessorId, signal);
    this.recordReady(key, ensured.ids, outcome.modifyIndex);
  }

  /**
   * Makes the token named by `ids` exist as `key`'s own token with those IDs. Every decision is
   * taken on a token the ownership rule says is `key`'s own; any other token, cached or freshly
   * read, makes it answer `foreign` without a write, and every write re-checks on a fresh read.
   */
  private async ensureToken(
    resolved: ResolvedService,
    ids: TokenIds,
    signal: AbortSignal,
  ): Promise<EnsureOutcome> {
    const { acl, config, logger, metrics, ownership } = this.deps;
    const { key, ref: service } = resolved;
    const context = { ...resolved.context, accessorId: ids.accessorId };
    const write = { key, scope: resolved.scope, context, signal };
    let current: OwnedToken | undefined = this.deps.tokens.store.get(ids.accessorId);
    if (current === undefined || current.secretDigest === undefined) {
      const read = await this.writes.consul(() => acl.readToken(ids.accessorId, write.scope, signal));
      if (read !== undefined && !ownership.isServiceTokenOf(tokenMarks(read), key)) return FOREIGN;
      current =
        read === undefined
          ? undefined
          : toOwnedToken(read, ownedClusterNames(config), servedPartition(config));
    }
    if (current !== undefined && !ownership.isServiceTokenOf(current, key)) return FOREIGN;
    const desired = {
      AccessorID: ids.accessorId,
      SecretID: ids.secretId,
      Description: serviceDescription('Token', service, config.cluster),
      ServiceIdentities: [{ ServiceName: service.name }],
    };
    if (current?.secretDigest !== undefined && current.secretDigest !== digestSecret(ids.secretId)) {
      metrics.tokensRepaired.inc({ controller: SERVICE_TOKEN_CONTROLLER, reason: 'secret_mismatch' });
      const deleted = await this.writes.delete(
        write,
        ids.accessorId,
        'delete the token whose SecretID differs from the secret',
      );
      if (deleted.kind === 'refused') return FOREIGN;
      if (deleted.kind === 'dry-run') return DRY_RUN;
      if (deleted.kind === 'done') {
        logger.warn('deleted token whose SecretID differed from the secret', context);
        metrics.tokensDeleted.inc({ controller: SERVICE_TOKEN_CONTROLLER });
      }
      current = undefined;
    }
    if (current === undefined) {
      if (this.readyOnce.has(key)) {
        metrics.tokensRepaired.inc({ controller: SERVICE_TOKEN_CONTROLLER, reason: 'token_missing' });
        logger.warn("service token was deleted out of band; recreating it with the secret's IDs", context);
      }
      const created = await this.writes.create(write, desired);
      if (created.kind !== 'done') return DRY_RUN;
      metrics.tokensCreated.inc({ controller: SERVICE_TOKEN_CONTROLLER });
      logger.info('created service token', context);
      return { kind: 'ok', modifyIndex: created.value.ModifyIndex };
    }
    const drifted =
      current.serviceIdentities.length !== 1 ||
      current.serviceIdentities[0] !== service.name ||
      current.policyNames.length !== 0 ||
      current.roleNames.length !== 0;
    if (drifted) {
      metrics.tokensRepaired.inc({ controller: SERVICE_TOKEN_CONTROLLER, reason: 'drifted' });
      const { SecretID: _secret, ...update } = desired;
      const updated = await this.writes.update(write, update, 'reset the drifted token');
      if (updated.kind === 'refused') return FOREIGN;
      if (updated.kind === 'missing')
        throw new Error('the token went away while it was being reset; retrying');
      if (updated.kind !== 'done') return DRY_RUN;
      logger.warn('reset drifted service token', context);
      return { kind: 'ok', modifyIndex: updated.value.ModifyIndex };
    }
    return { kind: 'ok', modifyIndex: current.modifyIndex };
  }

  private async deleteDuplicates(resolved: ResolvedService, keep: string, signal: AbortSignal) {
    const { logger, metrics, tokens } = this.deps;
    const { key, scope, context } = resolved;
    for (const token of tokens.store.byIndex(TOKENS_BY_SERVICE, key)) {
      if (token.kind !== 'service' || token.accessorId === keep) continue;
      const tokenContext = { ...context, accessorId: token.accessorId };
      metrics.tokensRepaired.inc({ controller: SERVICE_TOKEN_CONTROLLER, reason: 'duplicate' });
      const deleted = await this.writes.delete(
        { key, scope, context: tokenContext, signal },
        token.accessorId,
        'delete a duplicate token',
      );
      if (deleted.kind !== 'done') continue;
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
}
