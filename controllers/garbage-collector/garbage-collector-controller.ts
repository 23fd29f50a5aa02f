/**
 * GarbageCollectorController: the plugin that runs GarbageCollectorReconciler. Its key is the
 * service key; it is enqueued by events of mesh tasks (a deletion starts the grace period; a
 * resync of a running task is skipped), of mesh ECS services, and of owned tokens and policies,
 * resyncs included (so tokens left from before a restart are found too).
 */

import { type InformerEvent } from '../../src/cache/events.js';
import { type OwnedPolicy, type OwnedToken } from '../adapters/owned-acl.js';
import { type AnyWatch } from '../../src/reconcile/watch.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type MeshService } from '../domain/mesh-service.js';
import { type MeshTask } from '../domain/mesh-task.js';
import { servedServiceKeys } from '../domain/mesh-identity.js';
import { type AclDeps } from '../adapters/acl-deps.js';
import { GARBAGE_COLLECTOR, GarbageCollectorReconciler } from './garbage-collector-reconciler.js';

export class GarbageCollectorController implements ControllerPlugin {
  readonly name: string;
  readonly group: string;
  readonly reconciler: GarbageCollectorReconciler;

  constructor(private readonly deps: AclDeps) {
    this.name = deps.scopedName(GARBAGE_COLLECTOR);
    this.group = deps.config.cluster;
    this.reconciler = new GarbageCollectorReconciler(deps);
  }

  watches(): readonly AnyWatch[] {
    return [
      {
        source: this.deps.tasks.events$,
        // A task's `resync` says its service still runs, which never makes garbage: skipping it
        // spares 10,000 no-op reconciles a resync at 10,000 tasks. Every token and policy that
        // could be garbage is revisited by its own informer's resync.
        toKeys: (event: InformerEvent<MeshTask>) =>
          event.type === 'resync' ? [] : servedServiceKeys(event.obj),
      },
      {
        source: this.deps.tokens.events$,
        toKeys: (event: InformerEvent<OwnedToken>) => (event.obj.serviceKey ? [event.obj.serviceKey] : []),
      },
      ...(this.deps.services
        ? [
            {
              source: this.deps.services.events$,
              toKeys: (event: InformerEvent<MeshService>) => servedServiceKeys(event.obj),
            },
          ]
        : []),
      {
        source: this.deps.policies.events$,
        toKeys: (event: InformerEvent<OwnedPolicy>) => (event.obj.serviceKey ? [event.obj.serviceKey] : []),
      },
    ];
  }
}
