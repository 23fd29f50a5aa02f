/**
 * The login-token informer: the Consul tokens that tasks of our cluster got by logging in with the
 * IAM auth method (consul-ecs v0.5+), kept fresh by list-and-watch with blocking queries on
 * `/v1/acl/tokens`, as the ACL informers are.
 *
 * Invariants:
 * - Only tokens whose description is a login description naming one of our cluster's names
 *   exactly (see domain/login-token) reach the store; every other token is dropped on arrival, so
 *   nothing of another cluster, and no token of ours of the older design, can be collected.
 * - Each cached entry is a fixed-shape object of five strings and a number (no SecretID is kept).
 */
import { type SchedulerLike } from 'rxjs';

import { type InformerObserver } from '../../src/cache/informer-observer.js';
import { Informer } from '../../src/cache/informer.js';
import { type AclApi } from '../../src/consul/acl-api.js';
import { type AclScope, type AclToken, type Indexed } from '../../src/consul/acl-types.js';
import { fromAbortable } from '../../src/rx/from-abortable.js';
import { isOurCluster, parseLoginDescription } from '../domain/login-token.js';
import { owned, WATCH_FLOOR_MS } from './acl-informers.js';

export const LOGIN_TOKENS_BY_TASK = 'byTaskId';

export interface LoginToken {
  readonly accessorId: string;
  readonly taskId: string;
  /** The cluster as the login meta names it (one of ours). */
  readonly cluster: string;
  readonly partition: string;
  readonly namespace: string;
  readonly modifyIndex: number;
}

/** The login token of ours that `token` is, or undefined. */
export function toLoginToken(token: AclToken, clusterNames: readonly string[]): LoginToken | undefined {
  const meta = parseLoginDescription(token.Description);
  if (meta === undefined || !isOurCluster(meta, clusterNames)) return undefined;
  return {
    accessorId: token.AccessorID,
    taskId: meta.taskId,
    cluster: meta.cluster,
    partition: token.Partition ?? '',
    namespace: token.Namespace ?? '',
    modifyIndex: token.ModifyIndex ?? 0,
  };
}

export interface LoginTokenInformerOptions {
  readonly acl: AclApi;
  /** Every name of our cluster (the configured one and its alias). */
  readonly clusterNames: readonly string[];
  readonly scope: AclScope;
  readonly resyncPeriodMs: number;
  readonly watchWaitMs?: number;
  readonly minWatchIntervalMs?: number;
  readonly scheduler: SchedulerLike;
  readonly observer?: InformerObserver;
  readonly name?: string;
  readonly group?: string;
}

export function createLoginTokenInformer(options: LoginTokenInformerOptions): Informer<LoginToken> {
  const { acl, clusterNames, scope, watchWaitMs } = options;
  const ours = (page: Indexed<AclToken>) => owned(page, (token) => toLoginToken(token, clusterNames));
  return new Informer<LoginToken>({
    name: options.name ?? 'consul-login-tokens',
    group: options.group,
    list: () => fromAbortable(async (signal) => ours(await acl.listTokens(scope, { signal }))),
    watch: (index) =>
      fromAbortable(async (signal) =>
        ours(await acl.listTokens(scope, { index, waitMs: watchWaitMs, signal })),
      ),
    keyOf: (token) => token.accessorId,
    versionOf: (token) => String(token.modifyIndex),
    isNewer: (incoming, current) => Number(incoming) > Number(current),
    indexers: { [LOGIN_TOKENS_BY_TASK]: (token) => [token.taskId] },
    resyncPeriodMs: options.resyncPeriodMs,
    minWatchIntervalMs: options.minWatchIntervalMs ?? WATCH_FLOOR_MS,
    scheduler: options.scheduler,
    observer: options.observer,
  });
}
