/**
 * ClientTokenReconciler: keeps the one Consul token all client agents share, its policy and its
 * secret exactly as they should be.
 *
 * Invariants:
 * - The policy `<prefix>-consul-client-policy` exists and its rules grant what clientPolicyRules
 *   says, compared by meaning (policy-rules); other rules are rewritten (`policy_rules`).
 * - The client secret (by ARN) names the client token: a token with our client description (or
 *   consul-ecs's legacy one) and the secret's SecretID. A secret naming any other token (a service
 *   token, a foreign one) gets new IDs, and that token is never touched (`foreign_token`); a
 *   client token with another SecretID is left alone and a new one is minted with new IDs
 *   (`secret_mismatch`); a deleted one is recreated with the secret's IDs (`token_missing`).
 * - The client token links exactly the client policy: no other policy, role or identity, and our
 *   client description; anything else is reset in place (`drifted`).
 * - The ownership rule is told which AccessorID the client secret names, so no service reconcile
 *   can ever take the client token for a service token.
 * - It runs continuously: again after every change to the client token or the client policy, and
 *   every resync; a resync whose cached token and policy still match the last verification (and
 *   whose secret recheck is not due) makes no API call.
 * - Readiness is honest: not ready until the first full check passes, and again not ready from
 *   the moment a check fails or finds drift until a check passes.
 * - Every repair is counted in `tokens_repaired_total{controller="client-token",reason}`.
 */
import { type AclPolicy, type AclScope, type AclToken } from '../../src/consul/acl-types.js';
import { digestSecret } from '../adapters/owned-acl.js';
import { sameRules } from '../../src/consul/policy-rules.js';
import { clientTokenDescription } from '../domain/token-description.js';
import { type Reconciler, type ReconcileResult } from '../../src/reconcile/reconciler.js';
import { type AclDeps } from '../adapters/acl-deps.js';
import { type RepairReason } from '../adapters/acl-metrics.js';
import { AclWrites } from '../adapters/acl-writes.js';
import { CLIENT_POLICY_DESCRIPTION, clientPolicyName, clientPolicyRules } from '../domain/client-policy.js';
import { ensureSecretIds } from '../adapters/secret-ids.js';
import { tokenMarks } from '../domain/token-ownership.js';

export const CLIENT_TOKEN_CONTROLLER = 'client-token';
export const CLIENT_TOKEN_KEY = 'client-token';

interface Verified {
  readonly accessorId: string;
  readonly digest: string;
  readonly modifyIndex: number;
  readonly policyId: string | undefined;
  readonly policyModifyIndex: number | undefined;
  readonly at: number;
}

export class ClientTokenReconciler implements Reconciler {
  private ready = false;
  private verified: Verified | undefined;
  /** Whether a client token was ever verified by this process (a later absence is a repair). */
  private everVerified = false;
  private readonly writes: AclWrites;

  constructor(private readonly deps: AclDeps) {
    this.writes = new AclWrites(deps);
  }

  get isReady(): boolean {
    return this.ready;
  }

  async reconcile(_key: string, signal: AbortSignal): Promise<ReconcileResult> {
    if (this.stillVerified()) return { requeueAfterMs: this.deps.config.resyncIntervalMs };
    this.verified = undefined;
    try {
      await this.ensure(signal);
    } catch (error) {
      this.setReady(false);
      throw error;
    }
    this.setReady(true);
    return { requeueAfterMs: this.deps.config.resyncIntervalMs };
  }

  /**
   * This replica lost (or never had) the cluster's lock: what it verified may be stale by the
   * time it leads again, so it checks afresh then; the gauge drops to 0, which an alert on
   * `max by (cluster)` over the replicas ignores while the leader reports 1.
   */
  standBy(): void {
    this.verified = undefined;
    this.setReady(false);
  }

  private setReady(ready: boolean): void {
    this.ready = ready;
    this.deps.metrics.clientTokenReady.set(ready ? 1 : 0);
  }

  /**
   * True while the token and policy we last verified are still in the caches, unchanged, and the
   * secret recheck is not due: then the resync costs no API call. A deletion or any change to the
   * token or the policy shows in the caches at once (blocking watches) and forces the full check.
   */
  private stillVerified(): boolean {
    const verified = this.verified;
    if (!verified || this.deps.clock.now() - verified.at >= this.deps.config.secretRecheckMs) return false;
    const token = this.deps.tokens.store.get(verified.accessorId);
    const policy =
      verified.policyId === undefined ? undefined : this.deps.policies.store.get(verified.policyId);
    return (
      token !== undefined &&
      token.modifyIndex === verified.modifyIndex &&
      token.secretDigest === verified.digest &&
      policy !== undefined &&
      policy.modifyIndex === verified.policyModifyIndex
    );
  }

  private async ensure(signal: AbortSignal): Promise<void> {
    const { acl, config, ownership } = this.deps;
    const scope: AclScope = config.partitionsEnabled ? { partition: config.partition ?? 'default' } : {};
    const context = { cluster: config.cluster, secretName: config.clientSecretArn };
    const policy = await this.ensurePolicy(scope, context, signal);
    let { ids } = await ensureSecretIds(this.deps, config.clientSecretArn, context, signal);
    ownership.noteClientToken(ids.accessorId);
    let token = await this.writes.consul(() => acl.readToken(ids.accessorId, scope, signal));
    const problem = token === undefined ? undefined : this.tokenProblem(token, ids.secretId);
    if (token !== undefined && problem !== undefined) {
      this.repaired(problem.reason, problem.message, { ...context, accessorId: ids.accessorId });
      ({ ids } = await ensureSecretIds(this.deps, config.clientSecretArn, context, signal, {
        forceNew: true,
      }));
      ownership.noteClientToken(ids.accessorId);
      token = undefined;
    }
    const tokenContext = { ...context, accessorId: ids.accessorId };
    const desired = {
      AccessorID: ids.accessorId,
      Description: clientTokenDescription(config.cluster),
      Policies: [{ Name: clientPolicyName(config.secretNamePrefix) }],
    };
    if (token === undefined) {
      if (problem === undefined && this.everVerified) {
        this.repaired('token_missing', 'the client token was deleted; recreating it', tokenContext);
      }
      const created = await this.writes.write('create the client token', tokenContext, () =>
        acl.createToken({ ...desired, SecretID: ids.secretId }, scope, signal),
      );
      if (created.kind !== 'done') return;
      this.deps.metrics.tokensCreated.inc({ controller: CLIENT_TOKEN_CONTROLLER });
      this.deps.logger.info('created client token', tokenContext);
      token = created.value;
    } else if (this.drifted(token, policy)) {
      this.setReady(false);
      this.repaired(
        'drifted',
        'the client token links more than the client policy; resetting it',
        tokenContext,
      );
      const updated = await this.writes.write('reset the client token', tokenContext, () =>
        acl.updateToken(desired, scope, signal),
      );
      if (updated.kind !== 'done') return;
      token = updated.value;
    }
    this.everVerified = true;
    this.verified = {
      accessorId: ids.accessorId,
      digest: digestSecret(ids.secretId),
      modifyIndex: token.ModifyIndex ?? -1,
      policyId: policy?.ID,
      policyModifyIndex: policy?.ModifyIndex,
      at: this.deps.clock.now(),
    };
  }

  /** Why the token the client secret names cannot be the client token, or undefined if it can. */
  private tokenProblem(
    token: AclToken,
    secretId: string,
  ): { reason: RepairReason; message: string } | undefined {
    if (!this.deps.ownership.isClientToken(tokenMarks(token))) {
      this.deps.metrics.errors.inc({ kind: 'foreign_token_conflict' });
      return {
        reason: 'foreign_token',
        message: 'the client secret names a token that is not the client token; minting a new client token',
      };
    }
    if (token.SecretID === undefined || digestSecret(token.SecretID) !== digestSecret(secretId)) {
      return {
        reason: 'secret_mismatch',
        message: 'client secret names a token with another SecretID; minting a new client token',
      };
    }
    return undefined;
  }

  /** True unless the token is exactly: our client description, the client policy and nothing else. */
  private drifted(token: AclToken, policy: AclPolicy | undefined): boolean {
    const { config } = this.deps;
    const policies = token.Policies ?? [];
    const linksClientPolicy =
      policies.length === 1 &&
      (policies[0].Name === clientPolicyName(config.secretNamePrefix) ||
        (policy !== undefined && policies[0].ID === policy.ID));
    return (
      token.Description !== clientTokenDescription(config.cluster) ||
      !linksClientPolicy ||
      (token.Roles ?? []).length > 0 ||
      (token.ServiceIdentities ?? []).length > 0 ||
      (token.NodeIdentities ?? []).length > 0
    );
  }

  /** Makes the client policy exist with the desired rules; undefined only in dry-run. */
  private async ensurePolicy(
    scope: AclScope,
    context: Record<string, string>,
    signal: AbortSignal,
  ): Promise<AclPolicy | undefined> {
    const { acl, config } = this.deps;
    const name = clientPolicyName(config.secretNamePrefix);
    const rules = clientPolicyRules(config.partitionsEnabled ? (config.partition ?? 'default') : undefined);
    const policyContext = { ...context, policy: name };
    const current = await this.writes.consul(() => acl.readPolicyByName(name, scope, signal));
    if (current === undefined) {
      const created = await this.writes.write('create the client token policy', policyContext, () =>
        acl.createPolicy({ Name: name, Description: CLIENT_POLICY_DESCRIPTION, Rules: rules }, scope, signal),
      );
      if (created.kind === 'done') this.deps.logger.info('created client token policy', policyContext);
      return created.kind === 'done' ? created.value : undefined;
    }
    if (sameRules(current.Rules, rules)) return current;
    this.setReady(false);
    this.repaired('policy_rules', 'the client policy grants other rules; rewriting them', policyContext);
    const updated = await this.writes.write('rewrite the client policy rules', policyContext, () =>
      acl.updatePolicy(
        {
          ID: current.ID,
          Name: name,
          Description: current.Description ?? CLIENT_POLICY_DESCRIPTION,
          Rules: rules,
        },
        scope,
        signal,
      ),
    );
    return updated.kind === 'done' ? updated.value : current;
  }

  private repaired(reason: RepairReason, message: string, context: Record<string, string>): void {
    this.deps.metrics.tokensRepaired.inc({ controller: CLIENT_TOKEN_CONTROLLER, reason });
    this.deps.logger.warn(message, context);
  }
}
