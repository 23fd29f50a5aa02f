/**
 * ClientTokenController: the plugin that runs ClientTokenReconciler on its single key. It is
 * enqueued at each start (its initial key, whatever the informers hold) and by
 * every event of an owned client token or of the client policy; it requeues itself every resync
 * interval. With leader election, its readiness check and `acl_controller_client_token_ready`
 * speak for the lock holder only: a standby is ready, and reports the gauge as not its concern
 * (see ClientTokenReconciler.standBy), so an alert on `max by (cluster)` fires only when no
 * replica holds a ready client token.
 */
import { type Observable } from 'rxjs';

import { type InformerEvent } from '../../src/cache/events.js';
import { type OwnedPolicy, type OwnedToken } from '../adapters/owned-acl.js';
import { type AnyWatch } from '../../src/reconcile/watch.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type OpsServerProbes } from '../../src/ops/ops-server.js';
import { type AclDeps } from '../adapters/acl-deps.js';
import {
  CLIENT_TOKEN_CONTROLLER,
  CLIENT_TOKEN_KEY,
  ClientTokenReconciler,
} from './client-token-reconciler.js';

export class ClientTokenController implements ControllerPlugin {
  readonly name: string;
  readonly group: string;
  readonly reconciler: ClientTokenReconciler;
  /** Its one key, at every start: the first run must not wait for an event. */
  readonly initialKeys = (): readonly string[] => [CLIENT_TOKEN_KEY];

  /** False on a standby: the client token is the lock holder's to keep, not this replica's. */
  private leading = true;

  constructor(
    private readonly deps: AclDeps,
    probes: OpsServerProbes,
    /** The cluster's leadership, with leader election; the readiness check applies only while leading. */
    leading$?: Observable<boolean>,
  ) {
    this.name = deps.scopedName(CLIENT_TOKEN_CONTROLLER);
    this.group = deps.config.cluster;
    this.reconciler = new ClientTokenReconciler(deps);
    leading$?.subscribe((leading) => {
      this.leading = leading;
      if (!leading) this.reconciler.standBy();
    });
    probes.readyz.add(deps.scopedName('client-token'), () =>
      !this.leading || this.reconciler.isReady ? undefined : 'the Consul client token is not ready yet',
    );
  }

  watches(): readonly AnyWatch[] {
    return [
      {
        source: this.deps.tokens.events$,
        toKeys: (event: InformerEvent<OwnedToken>) => (event.obj.kind === 'client' ? [CLIENT_TOKEN_KEY] : []),
      },
      {
        source: this.deps.policies.events$,
        toKeys: (event: InformerEvent<OwnedPolicy>) =>
          event.obj.kind === 'client' ? [CLIENT_TOKEN_KEY] : [],
      },
    ];
  }
}
