/**
 * The Consul ACL informers: tokens and policies owned by this controller's cluster, kept fresh by
 * list-and-watch with blocking queries on `/v1/acl/tokens` and `/v1/acl/policies` (no polling).
 * Objects not owned by us are dropped before they reach the store.
 *
 * Invariants:
 * - Without partitions the lists carry no `partition`/`ns` parameter (Consul CE rejects both).
 * - With partitions (Consul Enterprise) one list covers the served partition's every namespace:
 *   `?partition=<p>&ns=*` (see `aclListScope`); objects whose description names another
 *   partition are not ours (see owned-acl), so nothing outside the served partition is cached.
 */
import { type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../../src/cache/informer-observer.js';
import { Informer, type ListResult } from '../../src/cache/informer.js';
import { type ClusterNames } from '../domain/token-description.js';
import { fromAbortable } from '../../src/rx/from-abortable.js';
import { type AclApi } from '../../src/consul/acl-api.js';
import { type AclScope, type Indexed } from '../../src/consul/acl-types.js';
import { type OwnedPolicy, type OwnedToken, toOwnedPolicy, toOwnedToken } from './owned-acl.js';

export const TOKENS_BY_SERVICE = 'byService';

/**
 * Consul Enterprise's namespace wildcard for list endpoints. Sources (hashicorp/consul):
 * - API docs, `GET /acl/tokens`: "`ns` - Return only the tokens in the specified namespace. The
 *   namespace may be specified as '*' to return results for all namespaces"
 *   (website/content/api-docs/acl/tokens.mdx, List Tokens); `GET /acl/policies` says the same
 *   (api-docs/acl/policies.mdx, List Policies).
 * - agent/acl_endpoint.go `ACLTokenList`/`ACLPolicyList` parse `ns`/`partition` into the request's
 *   EnterpriseMeta (`parseEntMeta`); agent/consul/acl_endpoint.go `TokenList`/`PolicyList` fill
 *   in the request token's partition and namespace where the request names none
 *   (`ResolveTokenAndDefaultMeta`) and list the state store by that meta. Enterprise's wildcard handling is not public; the CE
 *   stub of `EnterpriseMeta.WithWildcardNamespace()` (acl/enterprisemeta_oss.go, later _ce.go)
 *   names the idea: every namespace, the partition kept.
 * So the wildcard spans the namespaces of one partition: the `partition` parameter, else the
 * request token's, else `default`. No partition wildcard is documented for these lists.
 * Consul CE answers 400 to any `ns` (agent/http_oss.go `parseEntMeta`); consul-ecs through v0.10
 * lists namespaces first and then each one's tokens (controller/resource.go `fetchACLState`),
 * which a wildcard list replaces with one blocking query.
 */
export const ALL_NAMESPACES = '*';

/** The scope the informers list: nothing without partitions, else every namespace of `partition`. */
export function aclListScope(partition: string | undefined): AclScope {
  return partition === undefined ? {} : { partition, namespace: ALL_NAMESPACES };
}

/**
 * Every write to the ACL tables ends a blocking query, which then downloads the whole list: while
 * thousands of tokens are being created, the watches would re-download it once per token. A floor
 * of 1 s between watches bounds that to one download a second (at 2,000 tokens, ~1 MB each), and
 * delays what the cache sees by at most that; our own writes do not wait for the cache (each write
 * re-reads first, and a reconcile keeps the ModifyIndex Consul answered).
 */
export const WATCH_FLOOR_MS = 1_000;
export const TOKENS_BY_KIND = 'byKind';
export const POLICIES_BY_SERVICE = 'byService';

export interface AclInformerOptions {
  readonly acl: AclApi;
  /** The cluster's names (see token-description): objects described with any of them are ours. */
  readonly cluster: ClusterNames;
  /** The client policy's name, cached by the policy informer beside the owned service policies. */
  readonly clientPolicyName?: string;
  /** What to list (see `aclListScope`); its partition is also the served one for ownership. */
  readonly scope: AclScope;
  readonly resyncPeriodMs: number;
  /** Longest a blocking query may wait; Consul's default is 5 minutes. */
  readonly watchWaitMs?: number;
  /** Least time between a blocking query's return and the next (default WATCH_FLOOR_MS). */
  readonly minWatchIntervalMs?: number;
  readonly scheduler: SchedulerLike;
  readonly observer?: InformerObserver;
  /** Makes the informer's unique name from its base name (`consul-tokens`, `consul-policies`). */
  readonly scopedName?: (base: string) => string;
  /** The manager's controller group that waits for it (see Informer). */
  readonly group?: string;
}

/** A list page as an informer's list result: the items `convert` keeps, and the page's index. */
export function owned<T, U>(page: Indexed<T>, convert: (item: T) => U | undefined): ListResult<U> {
  const items: U[] = [];
  for (const item of page.items) {
    const converted = convert(item);
    if (converted !== undefined) items.push(converted);
  }
  return { items, resourceVersion: page.index };
}

export function createTokenInformer(options: AclInformerOptions): Informer<OwnedToken> {
  const { acl, cluster, scope, watchWaitMs } = options;
  const convert = (token: Parameters<typeof toOwnedToken>[0]) =>
    toOwnedToken(token, cluster, scope.partition);
  return new Informer<OwnedToken>({
    name: options.scopedName?.('consul-tokens') ?? 'consul-tokens',
    group: options.group,
    list: () => fromAbortable(async (signal) => owned(await acl.listTokens(scope, { signal }), convert)),
    watch: (index) =>
      fromAbortable(async (signal) =>
        owned(await acl.listTokens(scope, { index, waitMs: watchWaitMs, signal }), convert),
      ),
    keyOf: (token) => token.accessorId,
    versionOf: (token) => String(token.modifyIndex),
    // Raft indexes only grow: a write's answer applied early never replaces a newer watch result.
    isNewer: (incoming, current) => Number(incoming) > Number(current),
    indexers: {
      [TOKENS_BY_SERVICE]: (token) => (token.serviceKey ? [token.serviceKey] : []),
      [TOKENS_BY_KIND]: (token) => [token.kind],
    },
    resyncPeriodMs: options.resyncPeriodMs,
    minWatchIntervalMs: options.minWatchIntervalMs ?? WATCH_FLOOR_MS,
    scheduler: options.scheduler,
    observer: options.observer,
  });
}

export function createPolicyInformer(options: AclInformerOptions): Informer<OwnedPolicy> {
  const { acl, cluster, scope, watchWaitMs, clientPolicyName } = options;
  const convert = (policy: Parameters<typeof toOwnedPolicy>[0]) =>
    toOwnedPolicy(policy, cluster, scope.partition, clientPolicyName);
  return new Informer<OwnedPolicy>({
    name: options.scopedName?.('consul-policies') ?? 'consul-policies',
    group: options.group,
    list: () => fromAbortable(async (signal) => owned(await acl.listPolicies(scope, { signal }), convert)),
    watch: (index) =>
      fromAbortable(async (signal) =>
        owned(await acl.listPolicies(scope, { index, waitMs: watchWaitMs, signal }), convert),
      ),
    keyOf: (policy) => policy.id,
    versionOf: (policy) => String(policy.modifyIndex),
    indexers: { [POLICIES_BY_SERVICE]: (policy) => (policy.serviceKey ? [policy.serviceKey] : []) },
    resyncPeriodMs: options.resyncPeriodMs,
    minWatchIntervalMs: options.minWatchIntervalMs ?? WATCH_FLOOR_MS,
    scheduler: options.scheduler,
    observer: options.observer,
  });
}
