/**
 * TenancyController: the plugin that runs TenancyReconciler (admin partitions on only). Its key is
 * a namespace of the served partition: `default` at every start (so the partition and the policy
 * exist before any task), and the namespace of every served mesh task and ECS service as the
 * informers see them (adds and resyncs, so a deleted policy or namespace is restored within a
 * resync).
 *
 * Invariant: the watch mappings are pure; unserved and unusable objects make no key (see
 * servedServiceKeys).
 */
import { type InformerEvent } from '../../src/cache/events.js';
import { type Informer } from '../../src/cache/informer.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type AnyWatch } from '../../src/reconcile/watch.js';
import { type MeshIdentity, servedServiceKeys } from '../domain/mesh-identity.js';
import { parseServiceKey } from '../domain/service-ref.js';
import { TENANCY_CONTROLLER, type TenancyDeps, TenancyReconciler } from './tenancy-reconciler.js';

/** The namespaces an object's served service keys live in. */
export function namespacesOf(identity: MeshIdentity): string[] {
  return servedServiceKeys(identity).map((key) => parseServiceKey(key).namespace ?? 'default');
}

export interface TenancyControllerOptions extends TenancyDeps {
  readonly name?: string;
  readonly group?: string;
  readonly sources: readonly Pick<Informer<MeshIdentity>, 'events$'>[];
}

export class TenancyController implements ControllerPlugin {
  readonly name: string;
  readonly group?: string;
  readonly reconciler: TenancyReconciler;
  readonly initialKeys = () => ['default'];

  constructor(private readonly options: TenancyControllerOptions) {
    this.name = options.name ?? TENANCY_CONTROLLER;
    this.group = options.group;
    this.reconciler = new TenancyReconciler(options);
  }

  watches(): readonly AnyWatch[] {
    return this.options.sources.map((source) => ({
      source: source.events$,
      toKeys: (event: InformerEvent<MeshIdentity>) =>
        event.type === 'deleted' ? [] : namespacesOf(event.obj),
    }));
  }
}
