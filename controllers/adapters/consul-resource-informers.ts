/**
 * The consul-resources watches: one informer per Consul read that drift of the IAM-login objects
 * can show in, each kept fresh by blocking queries (`?index=N&wait=…`, Consul's X-Consul-Index),
 * so the plugin hears of a deleted or altered object within about a second instead of re-reading
 * all of them every resync. Every one of these reads is a blocking query in Consul 1.14 (checked by
 * test/conformance/consul.contract.ts against the real agent):
 * - `GET /v1/acl/auth-methods`, only `iam-ecs-service-token` kept;
 * - `GET /v1/acl/binding-rules?authmethod=iam-ecs-service-token` (an empty list while the method
 *   is missing);
 * - `GET /v1/acl/policies`, only the gateway policies and the anonymous policy kept (one list per
 *   scope: with partitions the anonymous policy lives in `default`);
 * - `GET /v1/acl/roles`, only the gateway roles kept;
 * - `GET /v1/acl/token/<anonymous>` (one token, not the token list: every login writes the list);
 * - `GET /v1/catalog/node/<node>`, the synthetic node reduced to "missing / synthetic / not".
 *
 * Invariants:
 * - Each cached entry is `{ key, version }` with the Consul ModifyIndex as version (the node: its
 *   synthetic mark), so an event means our object was created, changed or removed; the store is
 *   never read for decisions (the reconciler reads Consul itself).
 * - The tokens table and the catalog move with every login and service registration, which ends
 *   their blocking queries early (Consul answers at once when the table index passed N); those two
 *   watches wait BUSY_WATCH_FLOOR_MS between reads, the others WATCH_FLOOR_MS.
 * - None gates the group's start (`gatesStart: false`), and none re-emits its store on a timer: the
 *   plugin's own requeue is the safety net.
 */
import { type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../../src/cache/informer-observer.js';
import { Informer, type ListResult } from '../../src/cache/informer.js';
import { type AclApi } from '../../src/consul/acl-api.js';
import { type AclScope, type Indexed } from '../../src/consul/acl-types.js';
import { type AuthApi } from '../../src/consul/auth-api.js';
import { type CatalogApi } from '../../src/consul/catalog-api.js';
import { type BlockingOptions } from '../../src/consul/checked-requests.js';
import { fromAbortable } from '../../src/rx/from-abortable.js';
import {
  ANONYMOUS_POLICY,
  ANONYMOUS_TOKEN_ID,
  AUTH_METHOD_NAME,
  gatewayRoles,
  SYNTHETIC_NODE_META,
} from '../domain/iam-auth-resources.js';
import { owned, WATCH_FLOOR_MS } from './acl-informers.js';

/** One watched object: its key and the version whose change is drift (or our own write). */
export interface WatchedObject {
  readonly key: string;
  readonly version: string;
}

/** Least time between reads of the busy tables' watches (tokens, catalog): ≤ 12 reads/min each. */
export const BUSY_WATCH_FLOOR_MS = 5_000;

export interface ConsulResourceInformerOptions {
  readonly acl: Pick<AclApi, 'listPolicies' | 'watchToken'>;
  readonly auth: Pick<AuthApi, 'listAuthMethods' | 'watchBindingRules' | 'listRoles'>;
  readonly catalog: Pick<CatalogApi, 'watchNode'>;
  readonly partitionsEnabled: boolean;
  /** The served partition ('' without partitions). */
  readonly partition: string;
  /** The synthetic node's name. */
  readonly node: string;
  readonly scheduler: SchedulerLike;
  readonly observer?: InformerObserver;
  /** Longest a blocking query may wait; Consul's default is 5 minutes. */
  readonly watchWaitMs?: number;
  /** Overrides both watch floors (tests). */
  readonly minWatchIntervalMs?: number;
  readonly scopedName: (base: string) => string;
  readonly group?: string;
}

type Read = (blocking: BlockingOptions) => Promise<ListResult<WatchedObject>>;

/** The items of `page` that `keyOf` names (undefined: not ours), versioned by ModifyIndex. */
function byModifyIndex<T extends { readonly ModifyIndex?: number }>(
  page: Indexed<T>,
  keyOf: (item: T) => string | undefined,
): ListResult<WatchedObject> {
  return owned(page, (item) => {
    const key = keyOf(item);
    return key === undefined ? undefined : { key, version: String(item.ModifyIndex ?? 0) };
  });
}

/** Where the objects live: the served partition, and `default` for the anonymous token's. */
function scopesOf(partitionsEnabled: boolean, partition: string) {
  const scope: AclScope = partitionsEnabled ? { partition } : {};
  const anonymousScope: AclScope = partitionsEnabled ? { partition: 'default', namespace: 'default' } : {};
  // A list without `ns` is of the default namespace: the served `default` partition is the same scope.
  return { scope, anonymousScope, sameScope: !partitionsEnabled || partition === 'default' };
}

const WATCHES = [
  'consul-auth-methods',
  'consul-binding-rules',
  'consul-resource-policies',
  'consul-resource-roles',
  'consul-anonymous-token',
  'consul-synthetic-node',
  'consul-anonymous-policy',
] as const;
type WatchName = (typeof WATCHES)[number];

/**
 * The informers createConsulResourceInformers makes, by name, in order: the anonymous policy has
 * its own watch only when it lives in another scope than the others (else the policies watch
 * covers it).
 */
export function consulResourceWatchNames(partitionsEnabled: boolean, partition = ''): WatchName[] {
  const { sameScope } = scopesOf(partitionsEnabled, partition);
  return WATCHES.filter((name) => name !== 'consul-anonymous-policy' || !sameScope);
}

/** How many informers createConsulResourceInformers makes. */
export function consulResourceWatchCount(partitionsEnabled: boolean, partition = ''): number {
  return consulResourceWatchNames(partitionsEnabled, partition).length;
}

/** The informers whose events mean "check the IAM-login objects again". */
export function createConsulResourceInformers(
  options: ConsulResourceInformerOptions,
): Informer<WatchedObject>[] {
  const { acl, auth, catalog, partitionsEnabled, partition, node } = options;
  const { scope, anonymousScope, sameScope } = scopesOf(partitionsEnabled, partition);
  const roles = gatewayRoles(partitionsEnabled, partition);
  const roleNames = new Set(roles.map((role) => role.role));
  const policyNames = new Set(roles.flatMap((role) => (role.policy ? [role.policy.name] : [])));
  if (sameScope) policyNames.add(ANONYMOUS_POLICY);
  const named = (names: ReadonlySet<string>) => (item: { Name: string; ID?: string }) =>
    names.has(item.Name) ? (item.ID ?? item.Name) : undefined;
  const policiesOf =
    (names: ReadonlySet<string>, of: AclScope): Read =>
    async (blocking) =>
      byModifyIndex(await acl.listPolicies(of, blocking), named(names));
  const reads: Record<WatchName, [Read, number]> = {
    'consul-auth-methods': [
      async (blocking) =>
        byModifyIndex(await auth.listAuthMethods(scope, blocking), named(new Set([AUTH_METHOD_NAME]))),
      WATCH_FLOOR_MS,
    ],
    'consul-binding-rules': [
      async (blocking) =>
        byModifyIndex(await auth.watchBindingRules(AUTH_METHOD_NAME, scope, blocking), (rule) => rule.ID),
      WATCH_FLOOR_MS,
    ],
    'consul-resource-policies': [policiesOf(policyNames, scope), WATCH_FLOOR_MS],
    'consul-resource-roles': [
      async (blocking) => byModifyIndex(await auth.listRoles(scope, blocking), named(roleNames)),
      WATCH_FLOOR_MS,
    ],
    'consul-anonymous-token': [
      async (blocking) =>
        byModifyIndex(
          await acl.watchToken(ANONYMOUS_TOKEN_ID, anonymousScope, blocking),
          (t) => t.AccessorID,
        ),
      BUSY_WATCH_FLOOR_MS,
    ],
    'consul-synthetic-node': [
      async (blocking) => {
        const { value, index } = await catalog.watchNode(node, scope, blocking);
        const version = value?.meta[SYNTHETIC_NODE_META] === 'true' ? 'synthetic' : 'not-synthetic';
        return { items: value === undefined ? [] : [{ key: node, version }], resourceVersion: index };
      },
      BUSY_WATCH_FLOOR_MS,
    ],
    'consul-anonymous-policy': [policiesOf(new Set([ANONYMOUS_POLICY]), anonymousScope), WATCH_FLOOR_MS],
  };
  return consulResourceWatchNames(partitionsEnabled, partition).map((name) =>
    watchedInformer(options, name, ...reads[name]),
  );
}

function watchedInformer(
  options: ConsulResourceInformerOptions,
  name: string,
  read: Read,
  floorMs: number,
): Informer<WatchedObject> {
  const { watchWaitMs } = options;
  return new Informer<WatchedObject>({
    name: options.scopedName(name),
    group: options.group,
    list: () => fromAbortable((signal) => read({ signal })),
    watch: (index) => fromAbortable((signal) => read({ index, waitMs: watchWaitMs, signal })),
    keyOf: (object) => object.key,
    versionOf: (object) => object.version,
    minWatchIntervalMs: options.minWatchIntervalMs ?? floorMs,
    gatesStart: false,
    scheduler: options.scheduler,
    observer: options.observer,
  });
}
