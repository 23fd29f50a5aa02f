/**
 * ConsulResourcesController: the plugin that runs ConsulResourcesReconciler for one cluster. It
 * has one key, the cluster, enqueued at every start (each leadership term) and by every event of
 * its watches: blocking-query informers of the auth method, its binding rules, the gateway
 * policies and roles, the anonymous token and the synthetic node (see consul-resource-informers),
 * so a deleted or altered object is repaired within about a second. The reconciler's own requeue
 * (SAFETY_NET_RESYNCS resyncs) is the safety net for a change no watch reported.
 *
 * Invariant: every add, update or delete of a watched object maps to the one key; `resync` events
 * map to none (the informers emit none; the requeue already covers that cadence).
 */
import { type InformerEvent } from '../../src/cache/events.js';
import { type Informer } from '../../src/cache/informer.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type AnyWatch } from '../../src/reconcile/watch.js';
import { type WatchedObject } from '../adapters/consul-resource-informers.js';
import {
  CONSUL_RESOURCES,
  type ConsulResourcesDeps,
  ConsulResourcesReconciler,
} from './consul-resources-reconciler.js';

export class ConsulResourcesController implements ControllerPlugin {
  readonly name: string;
  readonly group?: string;
  readonly reconciler: ConsulResourcesReconciler;
  readonly maxConcurrentReconciles = 1;
  readonly initialKeys: () => readonly string[];

  constructor(
    deps: ConsulResourcesDeps,
    private readonly cluster: string,
    name = CONSUL_RESOURCES,
    /** The informers whose events mean "check again" (none: only the requeue and the start). */
    private readonly sources: readonly Pick<Informer<WatchedObject>, 'events$'>[] = [],
  ) {
    this.name = name;
    this.group = cluster;
    this.reconciler = new ConsulResourcesReconciler(deps);
    this.initialKeys = () => [cluster];
  }

  watches(): readonly AnyWatch[] {
    return this.sources.map((source) => ({
      source: source.events$,
      toKeys: (event: InformerEvent<WatchedObject>) => (event.type === 'resync' ? [] : [this.cluster]),
    }));
  }
}
