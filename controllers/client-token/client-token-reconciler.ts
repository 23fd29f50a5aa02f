/**
 * ClientTokenReconciler: keeps the one Consul token all client agents share, and its secret.
 *
 * Invariants:
 * - The policy `<prefix>-consul-client-policy` exists (`node_prefix "" write`,
 *   `service_prefix "" read`; wrapped in the partition when partitions are enabled).
 * - The client secret (by ARN) holds IDs of a token that exists in Consul with the same SecretID.
 *   A token that still exists is reused; a deleted one is recreated with the secret's IDs; an
 *   empty or malformed secret, or one naming a token with another SecretID, gets new IDs, written
 *   to the secret first, then the token is created with them.
 * - It runs continuously: again after every change to an owned client token and every resync; a
 *   resync whose cached token still matches the last verification (and whose secret recheck is
 *   not due) makes no API call.
 * - Until the first success, readiness reports the client token as not ready; failures (Consul
 *   down) are retried with backoff and never stop the process.
 */
import { type AclScope } from '../../src/consul/acl-types.js';
import { digestSecret } from '../../src/consul/owned-acl.js';
import { clientTokenDescription } from '../../src/mesh/token-description.js';
import { type Reconciler, type ReconcileResult } from '../../src/reconcile/reconciler.js';
import { type AclDeps } from '../shared/acl-deps.js';
import { ensureSecretIds } from '../shared/secret-ids.js';

export const CLIENT_TOKEN_CONTROLLER = 'client-token';
export const CLIENT_TOKEN_KEY = 'client-token';

export function clientPolicyName(prefix: string): string {
  return `${prefix}-consul-client-policy`;
}

export function clientPolicyRules(partition: string | undefined): string {
  if (partition === undefined) {
    return 'node_prefix "" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}\n';
  }
  return (
    `partition "${partition}" {\n  node_prefix "" {\n    policy = "write"\n  }\n` +
    '  namespace_prefix "" {\n    service_prefix "" {\n      policy = "read"\n    }\n  }\n}\n'
  );
}

export class ClientTokenReconciler implements Reconciler {
  private ready = false;
  private verified: { accessorId: string; digest: string; modifyIndex: number; at: number } | undefined;

  constructor(private readonly deps: AclDeps) {}

  get isReady(): boolean {
    return this.ready;
  }

  async reconcile(_key: string, signal: AbortSignal): Promise<ReconcileResult> {
    if (this.stillVerified()) return { requeueAfterMs: this.deps.config.resyncIntervalMs };
    try {
      await this.ensure(signal);
    } catch (error) {
      this.deps.metrics.clientTokenReady.set(0);
      throw error;
    }
    this.ready = true;
    this.deps.metrics.clientTokenReady.set(1);
    return { requeueAfterMs: this.deps.config.resyncIntervalMs };
  }

  /**
   * True while the token we last verified is still in the owned-token cache, unchanged, and the
   * secret recheck is not due: then the resync costs no API call. A deletion, or any change to
   * the token, shows in the cache at once (blocking watch) and forces the full check.
   */
  private stillVerified(): boolean {
    const verified = this.verified;
    if (!verified || this.deps.clock.now() - verified.at >= this.deps.config.secretRecheckMs) return false;
    const token = this.deps.tokens.store.get(verified.accessorId);
    return (
      token !== undefined &&
      token.modifyIndex === verified.modifyIndex &&
      token.secretDigest === verified.digest
    );
  }

  private async ensure(signal: AbortSignal): Promise<void> {
    const { acl, config, logger, metrics } = this.deps;
    const scope: AclScope = config.partitionsEnabled ? { partition: config.partition ?? 'default' } : {};
    const context = { cluster: config.cluster, secretName: config.clientSecretArn };
    let { ids } = await ensureSecretIds(this.deps, config.clientSecretArn, context, signal);
    const existing = await this.consul(() => acl.readToken(ids.accessorId, scope, signal));
    if (
      existing &&
      existing.SecretID !== undefined &&
      digestSecret(existing.SecretID) === digestSecret(ids.secretId)
    ) {
      this.verified = {
        accessorId: ids.accessorId,
        digest: digestSecret(ids.secretId),
        modifyIndex: existing.ModifyIndex ?? -1,
        at: this.deps.clock.now(),
      };
      return;
    }
    if (existing) {
      logger.warn('client secret names a token with another SecretID; minting a new client token', {
        ...context,
        accessorId: ids.accessorId,
      });
      ({ ids } = await ensureSecretIds(this.deps, config.clientSecretArn, context, signal, {
        forceNew: true,
      }));
    }
    const policyName = clientPolicyName(config.secretNamePrefix);
    const policy = await this.consul(() => acl.readPolicyByName(policyName, scope, signal));
    if (!policy && !config.dryRun) {
      await this.consul(() =>
        acl.createPolicy(
          {
            Name: policyName,
            Description: 'Consul Client Token Policy for ECS',
            Rules: clientPolicyRules(scope.partition),
          },
          scope,
          signal,
        ),
      );
      logger.info('created client token policy', { ...context, policy: policyName });
    }
    if (config.dryRun) {
      logger.info('dry-run: would create the client token', { ...context, accessorId: ids.accessorId });
      return;
    }
    await this.consul(() =>
      acl.createToken(
        {
          AccessorID: ids.accessorId,
          SecretID: ids.secretId,
          Description: clientTokenDescription(config.cluster),
          Policies: [{ Name: policyName }],
        },
        scope,
        signal,
      ),
    );
    metrics.tokensCreated.inc({ controller: CLIENT_TOKEN_CONTROLLER });
    logger.info('created client token', { ...context, accessorId: ids.accessorId });
  }

  private async consul<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      this.deps.metrics.errors.inc({ kind: 'consul' });
      throw error;
    }
  }
}
