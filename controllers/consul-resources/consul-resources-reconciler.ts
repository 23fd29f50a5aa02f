/**
 * ConsulResourcesReconciler: keeps the Consul objects that tasks logging in with the IAM auth
 * method need (consul-ecs v0.7+ makes them once at start and exits on any error; here they are
 * kept): the gateway policies and roles, the `iam-ecs-service-token` auth method, its binding
 * rules, in the primary datacenter the anonymous token's policy, and the cluster's synthetic
 * catalog node.
 *
 * Invariants:
 * - One key (the cluster), run when a watch reports a change (see ConsulResourcesController); every
 *   reconcile re-reads each object and writes only what differs, then asks to run again after
 *   SAFETY_NET_RESYNCS × `resyncIntervalMs` (the safety net). A failure is retried with backoff.
 * - Policies: created when missing, rules rewritten when they differ by meaning. Roles: created when
 *   missing; a missing link to their policy is added, other links kept.
 * - The auth method keeps every trusted principal and entity tag already there (other clusters'
 *   controllers share it), and every other config key and field; ours are added, and
 *   `EnableIAMEntityDetails` is set to true (consul-ecs never fixes it). Nothing is removed. Every
 *   write is read back and redone while a concurrent merge dropped ours (bounded; then an error).
 * - Binding rules are matched as consul-ecs matches them (BindName and Description) and rewritten
 *   only when the selector or bind type differ; missing ones are created.
 * - The anonymous token gains the anonymous policy link (its other links kept), in the primary
 *   datacenter only; the synthetic node is registered only when missing or not marked synthetic,
 *   so the services tasks registered on it are never disturbed.
 * - In dry-run, every write is logged (`dry-run: would …`) and skipped.
 */
import { type AclApi } from '../../src/consul/acl-api.js';
import { type AgentApi } from '../../src/consul/agent-api.js';
import { type AuthApi, type AuthMethod } from '../../src/consul/auth-api.js';
import { type AclScope } from '../../src/consul/acl-types.js';
import { type CatalogApi } from '../../src/consul/catalog-api.js';
import { sameRules } from '../../src/consul/policy-rules.js';
import { type Logger } from '../../src/log/logger.js';
import { type ReconcileResult, type Reconciler } from '../../src/reconcile/reconciler.js';
import { skipForDryRun } from '../adapters/dry-run.js';
import {
  ANONYMOUS_POLICY,
  ANONYMOUS_TOKEN_ID,
  anonymousPolicyRules,
  AUTH_METHOD_NAME,
  desiredAuthMethod,
  desiredBindingRules,
  gatewayRoles,
  SYNTHETIC_NODE_META,
} from '../domain/iam-auth-resources.js';

export const CONSUL_RESOURCES = 'consul-resources';

/**
 * Resyncs between two unprompted reconciles. The watches report drift within about a second, so
 * the requeue only covers a change none reported (a watch failing and backing off, a bug): at the
 * default 30 s resync that is 5 minutes, Consul's default blocking wait, so the watches' own idle
 * re-reads and the safety net share one cadence (11 reads per 5 min instead of 11 per resync).
 */
export const SAFETY_NET_RESYNCS = 10;

export interface ConsulResourcesSettings {
  readonly dryRun: boolean;
  readonly partitionsEnabled: boolean;
  /** The served partition ('' without partitions). */
  readonly partition: string;
  /** `arn:aws:iam::<account>:role/<path>*` (see boundPrincipalArn). */
  readonly boundPrincipalArn: string;
  /** The synthetic node's name (the cluster ARN) and address (this task's IP). */
  readonly node: string;
  readonly nodeAddress: string;
  /** The manager's resync; the reconciler requeues after SAFETY_NET_RESYNCS of them. */
  readonly resyncIntervalMs: number;
}

export interface ConsulResourcesDeps {
  readonly config: ConsulResourcesSettings;
  readonly acl: Pick<
    AclApi,
    'readPolicyByName' | 'createPolicy' | 'updatePolicy' | 'readToken' | 'updateToken'
  >;
  readonly auth: AuthApi;
  readonly agent: Pick<AgentApi, 'datacenters'>;
  readonly catalog: Pick<CatalogApi, 'node' | 'registerNode'>;
  readonly logger: Logger;
  /** Counts each write by what it did (`policy_created`, `binding_rule_repaired`, …). */
  readonly changed: (change: string) => void;
}

export class ConsulResourcesReconciler implements Reconciler {
  constructor(private readonly deps: ConsulResourcesDeps) {}

  private get scope(): AclScope {
    return this.deps.config.partitionsEnabled ? { partition: this.deps.config.partition } : {};
  }

  async reconcile(_key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const { partitionsEnabled, partition } = this.deps.config;
    for (const role of gatewayRoles(partitionsEnabled, partition)) {
      if (role.policy)
        await this.ensurePolicy(role.policy.name, role.policy.description, role.policy.rules, signal);
      await this.ensureRole(role.role, role.roleDescription, role.policy?.name, signal);
    }
    await this.ensureAuthMethod(signal);
    await this.ensureBindingRules(signal);
    const { datacenter, primary } = await this.deps.agent.datacenters(signal);
    if (datacenter === primary) await this.ensureAnonymousPolicy(signal);
    await this.ensureNode(signal);
    return { requeueAfterMs: this.deps.config.resyncIntervalMs * SAFETY_NET_RESYNCS };
  }

  private async ensurePolicy(
    name: string,
    description: string,
    rules: string,
    signal: AbortSignal,
  ): Promise<void> {
    const { acl } = this.deps;
    const policy = await acl.readPolicyByName(name, this.scope, signal);
    if (policy === undefined) {
      if (this.skip('create the policy', { policy: name })) return;
      await acl.createPolicy({ Name: name, Description: description, Rules: rules }, this.scope, signal);
      this.done('policy_created', { policy: name });
    } else if (!sameRules(policy.Rules, rules)) {
      if (this.skip('rewrite the rules of the policy', { policy: name })) return;
      await acl.updatePolicy(
        { ID: policy.ID, Name: name, Description: policy.Description ?? description, Rules: rules },
        this.scope,
        signal,
      );
      this.done('policy_repaired', { policy: name });
    }
  }

  private async ensureRole(
    name: string,
    description: string,
    policy: string | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const { auth } = this.deps;
    const role = await auth.readRoleByName(name, this.scope, signal);
    if (role === undefined) {
      if (this.skip('create the role', { role: name })) return;
      await auth.writeRole(
        { Name: name, Description: description, ...(policy ? { Policies: [{ Name: policy }] } : {}) },
        this.scope,
        signal,
      );
      this.done('role_created', { role: name });
      return;
    }
    const links = role.Policies ?? [];
    if (policy === undefined || links.some((link) => link.Name === policy)) return;
    if (this.skip('link the role to its policy', { role: name, policy })) return;
    await auth.writeRole(
      {
        ID: role.ID,
        Name: name,
        Description: role.Description ?? description,
        Policies: [...links, { Name: policy }],
      },
      this.scope,
      signal,
    );
    this.done('role_repaired', { role: name });
  }

  /**
   * The method is shared by every cluster's controller and Consul's update has no compare-and-set,
   * so two merges can race (consul-ecs #99: the later write drops the other's principal). Each write
   * is therefore read back: while ours is missing again, merge and write again (both racers re-read
   * the other's write, so they converge); after MAX_MERGE_WRITES the reconcile fails and backs off.
   */
  private async ensureAuthMethod(signal: AbortSignal): Promise<void> {
    const { auth, config } = this.deps;
    const desired = desiredAuthMethod(config.boundPrincipalArn, config.partitionsEnabled);
    for (let writes = 0; ; writes++) {
      const existing = await auth.readAuthMethod(AUTH_METHOD_NAME, this.scope, signal);
      const target = existing === undefined ? desired : mergeAuthMethod(existing, desired);
      if (existing !== undefined && sameAuthMethod(existing, target)) return;
      if (writes === MAX_MERGE_WRITES)
        throw new Error(
          `auth method ${AUTH_METHOD_NAME}: our principal was dropped again by concurrent writes ${writes} times in a row`,
        );
      if (writes > 0) this.done('auth_method_merge_raced', { authMethod: AUTH_METHOD_NAME });
      const verb = existing === undefined ? 'create' : 'update';
      if (this.skip(`${verb} the auth method`, { authMethod: AUTH_METHOD_NAME })) return;
      await auth.writeAuthMethod(target, existing !== undefined, this.scope, signal);
      this.done(existing === undefined ? 'auth_method_created' : 'auth_method_repaired', {
        authMethod: AUTH_METHOD_NAME,
      });
    }
  }

  private async ensureBindingRules(signal: AbortSignal): Promise<void> {
    const { auth, config } = this.deps;
    const existing = await auth.listBindingRules(AUTH_METHOD_NAME, this.scope, signal);
    for (const rule of desiredBindingRules(config.partitionsEnabled, config.partition)) {
      const match = existing.find((r) => r.BindName === rule.BindName && r.Description === rule.Description);
      if (match && match.Selector === rule.Selector && match.BindType === rule.BindType) continue;
      const fields = { bindingRule: rule.Description };
      if (this.skip(match ? 'rewrite the binding rule' : 'create the binding rule', fields)) continue;
      await auth.writeBindingRule(match ? { ...rule, ID: match.ID } : rule, this.scope, signal);
      this.done(match ? 'binding_rule_repaired' : 'binding_rule_created', fields);
    }
  }

  private async ensureAnonymousPolicy(signal: AbortSignal): Promise<void> {
    const { acl, config } = this.deps;
    const scope: AclScope = config.partitionsEnabled ? { partition: 'default', namespace: 'default' } : {};
    await this.ensurePolicy(
      ANONYMOUS_POLICY,
      'Anonymous token Policy',
      anonymousPolicyRules(config.partitionsEnabled),
      signal,
    );
    const token = await acl.readToken(ANONYMOUS_TOKEN_ID, scope, signal);
    if (token === undefined) return;
    const links = token.Policies ?? [];
    if (links.some((link) => link.Name === ANONYMOUS_POLICY)) return;
    if (this.skip('link the anonymous token to its policy', { policy: ANONYMOUS_POLICY })) return;
    await acl.updateToken(
      {
        AccessorID: ANONYMOUS_TOKEN_ID,
        Description: token.Description,
        Policies: [
          ...links.map((link) => (link.ID ? { ID: link.ID } : { Name: link.Name })),
          { Name: ANONYMOUS_POLICY },
        ],
        ...(token.Roles?.length
          ? { Roles: token.Roles.map((link) => (link.ID ? { ID: link.ID } : { Name: link.Name })) }
          : {}),
        ...(token.ServiceIdentities?.length ? { ServiceIdentities: token.ServiceIdentities } : {}),
        ...(token.NodeIdentities?.length ? { NodeIdentities: token.NodeIdentities } : {}),
      },
      scope,
      signal,
    );
    this.done('anonymous_token_repaired', { policy: ANONYMOUS_POLICY });
  }

  private async ensureNode(signal: AbortSignal): Promise<void> {
    const { catalog, config } = this.deps;
    const node = await catalog.node(config.node, this.scope, signal);
    if (node?.meta[SYNTHETIC_NODE_META] === 'true') return;
    const fields = { node: config.node };
    if (this.skip('register the synthetic node', fields)) return;
    await catalog.registerNode(
      config.node,
      config.nodeAddress,
      { ...(node?.meta ?? {}), [SYNTHETIC_NODE_META]: 'true' },
      this.scope,
      signal,
    );
    this.done('node_registered', fields);
  }

  private skip(action: string, fields: Record<string, unknown>): boolean {
    return skipForDryRun(this.deps, action, fields);
  }

  private done(change: string, fields: Record<string, unknown>): void {
    this.deps.changed(change);
    this.deps.logger.info(`consul resources: ${change.replaceAll('_', ' ')}`, fields);
  }
}

/** `existing` with our principals and entity tags added (sorted, unique) and entity details on. */
export function mergeAuthMethod(existing: AuthMethod, desired: AuthMethod): AuthMethod {
  const union = (a: unknown, b: unknown) =>
    [
      ...new Set(
        [...(Array.isArray(a) ? a : []), ...(Array.isArray(b) ? b : [])].filter(
          (x): x is string => typeof x === 'string',
        ),
      ),
    ].sort();
  const config = {
    ...existing.Config,
    BoundIAMPrincipalARNs: union(existing.Config.BoundIAMPrincipalARNs, desired.Config.BoundIAMPrincipalARNs),
    EnableIAMEntityDetails: true,
    IAMEntityTags: union(existing.Config.IAMEntityTags, desired.Config.IAMEntityTags),
  };
  const rules = [...(existing.NamespaceRules ?? [])];
  for (const rule of desired.NamespaceRules ?? [])
    if (!rules.some((r) => r.Selector === rule.Selector && r.BindNamespace === rule.BindNamespace))
      rules.push(rule);
  return { ...existing, Config: config, ...(rules.length > 0 ? { NamespaceRules: rules } : {}) };
}

/** Writes of the auth method in one reconcile before a race is reported as an error. */
const MAX_MERGE_WRITES = 4;

function sameAuthMethod(existing: AuthMethod, target: AuthMethod): boolean {
  return (
    JSON.stringify(existing.Config) === JSON.stringify(target.Config) &&
    JSON.stringify(existing.NamespaceRules ?? []) === JSON.stringify(target.NamespaceRules ?? [])
  );
}
