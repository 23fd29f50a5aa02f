/**
 * The deleted-while-running invariant (issue 13): the controller never deletes the token a
 * service's secret names while that service has a running mesh task in the token's cluster.
 *
 * Judged on each controller `acl.token.delete` as the envtest Consul records it (its outcome
 * already in the state), on the same TokenWrite the cross-cluster and token-owner check judges
 * (./cross-cluster.ts keeps the ledger of token owners and builds it), against the envtest ECS
 * state at that moment (./running-tasks.ts), never through an API.
 *
 * Invariants:
 * - Only a successful delete that removed the token, not made by the run's driver, of a token
 *   that was a served cluster's service token just before (its owner from the ledger: cluster and
 *   service from its description then) is judged. The client token's deletes are judged by
 *   `judgeTokenWrite` (a client secret naming it).
 * - Only the token the service's own secret names, with that token's SecretID, counts. A service
 *   may legitimately lose another token while it runs: a duplicate (its secret names the other
 *   one), a token whose SecretID differs from the secret's (deleted and recreated with the
 *   secret's IDs), one whose AccessorID a hostile tenant copied into another secret.
 * - It is a violation (`deleted-while-running`) when the service's oldest running mesh task in
 *   that cluster had been running for at least `windowMs`: a task that young may still be unknown
 *   to a correct controller (its start event lost, and no task list since: the window is two
 *   resyncs plus slack, what the relist needs to correct a lost event), but an older one must be
 *   in the leader's cache, and the garbage collector deletes only after a task list confirmed the
 *   service gone.
 */
import { CLIENT, type TokenWrite, type Violation } from './invariants.js';

/** Whether `w` deleted the token its service's secret names (with its SecretID), by the controller. */
export function deletedNamedToken(w: TokenWrite): boolean {
  if (w.operation !== 'acl.token.delete' || w.status !== 200 || w.after !== undefined || w.byDriver) {
    return false;
  }
  if (w.before === undefined || w.before.service === CLIENT) return false;
  return w.ownerSecret?.accessorId === w.accessorId && w.ownerSecret.token === w.before.secretId;
}

export function judgeRunningDelete(w: TokenWrite, windowMs: number): Violation | undefined {
  if (!deletedNamedToken(w) || w.before === undefined) return undefined;
  const runningMs = w.runningForMs ?? 0;
  if (runningMs < windowMs) return undefined;
  const { cluster, service } = w.before;
  return {
    kind: 'deleted-while-running',
    message:
      `acl.token.delete deleted token ${w.accessorId} of ${cluster} (${service}), the one its secret ` +
      `names, while ${service} had had a running mesh task in ${cluster} for ${(runningMs / 1000).toFixed(1)} s`,
  };
}
