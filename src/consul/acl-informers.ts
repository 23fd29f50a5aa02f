/**
 * The Consul ACL informers: tokens and policies owned by this controller's cluster, kept fresh by
 * list-and-watch with blocking queries on `/v1/acl/tokens` and `/v1/acl/policies` (no polling).
 * Objects not owned by us are dropped before they reach the store.
 */
import { type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../cache/informer-observer.js';
import { Informer, type ListResult } from '../cache/informer.js';
import { fromAbortable } from '../rx/from-abortable.js';
import { type AclApi } from './acl-api.js';
import { type AclScope, type Indexed } from './acl-types.js';
import { type OwnedPolicy, type OwnedToken, toOwnedPolicy, toOwnedToken } from './owned-acl.js';

export const TOKENS_BY_SERVICE = 'byService';

/**
 * Every write to the ACL tables ends a blocking query, which then downloads the whole list: while
 * hundreds of tokens are being created, the watches would re-download it once per token. A floor
 * of 250 ms between watches bounds that to 4 downloads a second (consul-template limits its Consul
 * calls the same way, to about 1 per 100 ms) and delays what the cache sees by at most that.
 */
export const WATCH_FLOOR_MS = 250;
export const TOKENS_BY_KIND = 'byKind';
export const POLICIES_BY_SERVICE = 'byService';

export interface AclInformerOptions {
  readonly acl: AclApi;
  readonly cluster: string;
  /** The client policy's name, cached by the policy informer beside the owned service policies. */
  readonly clientPolicyName?: string;
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

function owned<T, U>(page: Indexed<T>, convert: (item: T) => U | undefined): ListResult<U> {
  const items: U[] = [];
  for (const item of page.items) {
    const converted = convert(item);
    if (converted !== undefined) items.push(converted);
  }
  return { items, resourceVersion: page.index };
}

export function createTokenInformer(options: AclInformerOptions): Informer<OwnedToken> {
  const { acl, cluster, scope, watchWaitMs } = options;
  const convert = (token: Parameters<typeof toOwnedToken>[0]) => toOwnedToken(token, cluster);
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
    toOwnedPolicy(policy, cluster, clientPolicyName);
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
