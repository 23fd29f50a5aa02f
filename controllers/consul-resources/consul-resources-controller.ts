/**
 * ConsulResourcesController: the plugin that runs ConsulResourcesReconciler for one cluster. It
 * has one key, the cluster, enqueued at every start (each leadership term); the reconciler asks to
 * run again every resync, so a deleted or altered object is repaired within one resync. It watches
 * nothing: the objects are few and read directly.
 */
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type AnyWatch } from '../../src/reconcile/watch.js';
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

  constructor(deps: ConsulResourcesDeps, cluster: string, name = CONSUL_RESOURCES) {
    this.name = name;
    this.group = cluster;
    this.reconciler = new ConsulResourcesReconciler(deps);
    this.initialKeys = () => [cluster];
  }

  watches(): readonly AnyWatch[] {
    return [];
  }
}
