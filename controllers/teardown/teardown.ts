/**
 * runTeardown: carries out a teardown plan (see planTeardown) against Consul, or, in dry-run, only
 * reports it.
 *
 * Invariants:
 * - The plan is made from fresh lists, and each token is read again right before its delete and
 *   deleted only if it is still the same kind of ours (an edited or reused token is skipped and
 *   reported); a policy is deleted only if its fresh read has the same ID and is still ours.
 * - The auth method is re-read before it is changed: our principal is removed from the fresh
 *   list (others kept), and the method deleted only if the fresh one still trusts ours alone.
 * - Deletes of objects already gone succeed; any other failure stops the run (exit 1) after
 *   reporting what was done so far; running it again finishes the job.
 * - Nothing is written in dry-run; no SecretID is ever printed.
 */
import { type AclApi } from '../../src/consul/acl-api.js';
import { type CatalogApi } from '../../src/consul/catalog-api.js';
import { toOwnedPolicy } from '../adapters/owned-acl.js';
import { type TeardownItem, tokenKind, trustedPrincipals } from './teardown-plan.js';
import { type AuthApi } from '../../src/consul/auth-api.js';

export interface TeardownDeps {
  readonly acl: AclApi;
  readonly auth: AuthApi;
  readonly catalog: CatalogApi;
  readonly clusterNames: readonly string[];
  readonly partition?: string;
  readonly clientPolicyName?: string;
  readonly dryRun: boolean;
  /** One line per item and a summary. */
  readonly print: (line: string) => void;
}

export type TeardownResult = 'removed' | 'changed' | 'dry-run';

export async function runTeardown(
  deps: TeardownDeps,
  plan: readonly TeardownItem[],
): Promise<Record<TeardownResult, number>> {
  const counts: Record<TeardownResult, number> = { removed: 0, changed: 0, 'dry-run': 0 };
  for (const item of plan) {
    const result = deps.dryRun ? 'dry-run' : await remove(deps, item);
    counts[result] += 1;
    const verb = { removed: 'removed', changed: 'skipped (changed since listed)', 'dry-run': 'would remove' }[
      result
    ];
    deps.print(`${verb} ${item.kind} ${item.id} ${JSON.stringify(item.label)}`);
  }
  deps.print(
    deps.dryRun
      ? `dry-run: ${counts['dry-run']} would be removed; nothing was changed`
      : `${counts.removed} removed, ${counts.changed} skipped because they changed`,
  );
  return counts;
}

async function remove(deps: TeardownDeps, item: TeardownItem): Promise<TeardownResult> {
  const { acl, catalog, clusterNames, partition, clientPolicyName } = deps;
  switch (item.kind) {
    case 'service-token':
    case 'client-token':
    case 'login-token': {
      const fresh = await acl.readToken(item.id, item.scope);
      if (fresh === undefined) return 'removed';
      if (tokenKind(fresh, clusterNames, partition) !== item.kind) return 'changed';
      await acl.deleteToken(item.id, item.scope);
      return 'removed';
    }
    case 'service-policy':
    case 'client-policy': {
      const fresh = await acl.readPolicyByName(item.label, item.scope);
      if (fresh === undefined) return 'removed';
      const owned = toOwnedPolicy(fresh, clusterNames, partition, clientPolicyName);
      if (fresh.ID !== item.id || owned === undefined) return 'changed';
      await acl.deletePolicy(item.id, item.scope);
      return 'removed';
    }
    case 'auth-method-principal': {
      const fresh = await deps.auth.readAuthMethod(item.id, item.scope);
      if (fresh === undefined || !trustedPrincipals(fresh).includes(item.principal as string))
        return 'removed';
      const rest = trustedPrincipals(fresh).filter((principal) => principal !== item.principal);
      await deps.auth.writeAuthMethod(
        { ...fresh, Config: { ...fresh.Config, BoundIAMPrincipalARNs: rest } },
        true,
        item.scope,
      );
      return 'removed';
    }
    case 'auth-method': {
      const fresh = await deps.auth.readAuthMethod(item.id, item.scope);
      if (fresh === undefined) return 'removed';
      const principals = trustedPrincipals(fresh);
      // Someone trusted another principal since the plan: that cluster needs the method.
      if (principals.length !== 1 || principals[0] !== item.principal) return 'changed';
      await deps.auth.deleteAuthMethod(item.id, item.scope);
      return 'removed';
    }
    case 'synthetic-node': {
      await catalog.deregisterNode(item.id, item.scope);
      return 'removed';
    }
  }
}
