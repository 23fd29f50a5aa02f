/**
 * TenancyReconciler: with admin partitions on (Consul Enterprise), keeps what consul-ecs v0.4's
 * acl-controller set up for the served partition: the partition itself, the `cross-namespace-read`
 * policy in its default namespace, and each namespace a served mesh service lives in, created with
 * that policy as a policy default. consul-ecs creates them once at start (partition) or on each
 * poll (namespaces, policy) and never repairs the policy; here they are kept continuously.
 *
 * Invariants:
 * - The key is a namespace of the served partition; every reconcile also checks the partition and
 *   the policy (one read each), so a deleted partition policy or altered rules are repaired at the
 *   next reconcile of any namespace (each resync revisits every served namespace).
 * - The policy's rules are compared by meaning and rewritten when they differ; a missing namespace
 *   is created; an existing namespace is never changed (its defaults may be the operator's).
 * - Nothing is deleted. In dry-run, every write is logged (`dry-run: would …`) and skipped.
 */
import { type AclApi } from '../../src/consul/acl-api.js';
import { sameRules } from '../../src/consul/policy-rules.js';
import { type TenancyApi } from '../../src/consul/tenancy-api.js';
import { type Logger } from '../../src/log/logger.js';
import { type Reconciler } from '../../src/reconcile/reconciler.js';
import { skipForDryRun } from '../adapters/dry-run.js';
import {
  CROSS_NAMESPACE_POLICY,
  CROSS_NAMESPACE_POLICY_DESCRIPTION,
  crossNamespaceRules,
} from '../domain/cross-namespace-policy.js';

export const TENANCY_CONTROLLER = 'tenancy';
const DEFAULT = 'default';

export type TenancyChange = 'partition_created' | 'policy_created' | 'policy_repaired' | 'namespace_created';

export interface TenancyDeps {
  readonly config: { readonly dryRun: boolean; readonly partition: string };
  readonly acl: Pick<AclApi, 'readPolicyByName' | 'createPolicy' | 'updatePolicy'>;
  readonly tenancy: Pick<
    TenancyApi,
    'readPartition' | 'createPartition' | 'readNamespace' | 'createNamespace'
  >;
  readonly logger: Logger;
  /** Counts each change made. */
  readonly changed: (change: TenancyChange) => void;
}

export class TenancyReconciler implements Reconciler {
  constructor(private readonly deps: TenancyDeps) {}

  async reconcile(namespace: string, signal: AbortSignal): Promise<void> {
    const { partition } = this.deps.config;
    await this.ensurePartition(partition, signal);
    await this.ensurePolicy(partition, signal);
    if (namespace !== DEFAULT) await this.ensureNamespace(namespace, partition, signal);
  }

  private async ensurePartition(partition: string, signal: AbortSignal): Promise<void> {
    const { tenancy } = this.deps;
    if (partition === DEFAULT || (await tenancy.readPartition(partition, signal))) return;
    if (this.skip('create the admin partition', { partition })) return;
    await tenancy.createPartition(partition, 'Created by ecs-acl-controller', signal);
    this.done('partition_created', 'created the admin partition', { partition });
  }

  private async ensurePolicy(partition: string, signal: AbortSignal): Promise<void> {
    const { acl } = this.deps;
    const scope = { partition, namespace: DEFAULT };
    const rules = crossNamespaceRules(partition);
    const policy = await acl.readPolicyByName(CROSS_NAMESPACE_POLICY, scope, signal);
    const fields = { policy: CROSS_NAMESPACE_POLICY, partition };
    if (policy === undefined) {
      if (this.skip('create the cross-namespace policy', fields)) return;
      await acl.createPolicy(
        { Name: CROSS_NAMESPACE_POLICY, Description: CROSS_NAMESPACE_POLICY_DESCRIPTION, Rules: rules },
        scope,
        signal,
      );
      this.done('policy_created', 'created the cross-namespace policy', fields);
    } else if (!sameRules(policy.Rules, rules)) {
      if (this.skip('rewrite the rules of the cross-namespace policy', fields)) return;
      await acl.updatePolicy(
        {
          ID: policy.ID,
          Name: CROSS_NAMESPACE_POLICY,
          Description: CROSS_NAMESPACE_POLICY_DESCRIPTION,
          Rules: rules,
        },
        scope,
        signal,
      );
      this.done('policy_repaired', 'rewrote the rules of the cross-namespace policy', fields);
    }
  }

  private async ensureNamespace(namespace: string, partition: string, signal: AbortSignal): Promise<void> {
    const { tenancy } = this.deps;
    if (await tenancy.readNamespace(namespace, partition, signal)) return;
    const fields = { namespace, partition, policyDefaults: [CROSS_NAMESPACE_POLICY] };
    if (this.skip('create the namespace', fields)) return;
    await tenancy.createNamespace(namespace, partition, [CROSS_NAMESPACE_POLICY], signal);
    this.done('namespace_created', 'created the namespace', fields);
  }

  private skip(action: string, fields: Record<string, unknown>): boolean {
    return skipForDryRun(this.deps, action, fields);
  }

  private done(change: TenancyChange, message: string, fields: Record<string, unknown>): void {
    this.deps.changed(change);
    this.deps.logger.info(message, fields);
  }
}
