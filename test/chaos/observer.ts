/**
 * Observer: samples the envtest state in-process while the run goes on (no API calls, so faults
 * do not blind it).
 *
 * Invariants:
 * - A service is active in a served cluster when that cluster has an ACTIVE ECS service of that
 *   name (pre-provisioning gives it a token even at desired count 0), or a task with desiredStatus
 *   RUNNING, not yet STOPPED, carrying the mesh tag, whose family (or
 *   `consul.hashicorp.com/service-name` tag) is the service. Tasks of other clusters never count.
 * - `goneForMs(c, s)` is the time since the last sample that found `s` active in `c` (Infinity if
 *   none); `activeForMs(c, s)` the time since `s` became active in `c` without a sample finding it
 *   inactive since (0 when it is not active).
 * - Every token a served cluster owns (see `tokenOwner`) is remembered with its owner; a sample
 *   finding it owned by another cluster or service, or by none, adds an `ownerChanges` entry. Every
 *   AccessorID any version of a served cluster's secret names is remembered per secret.
 * - Every SecretID of every token Consul held at any sample, plus those `remember()`ed, is in
 *   `secretIds` (with the token's AccessorID), so a token created and deleted between two samples
 *   can be missed only if it also never reached a secret (the final sweep reads every secret
 *   version).
 */
import { type EcsState } from '../../envtest/ecs/state.js';
import { type ConsulState } from '../../envtest/consul/state.js';
import { type SecretStore } from '../../envtest/secretsmanager/store.js';
import { type OwnerChange, type TokenOwner, tokenOwner } from './invariants.js';
import { isMeshTask, isRunning, serviceOf } from './running-tasks.js';

export function activeServices(ecs: EcsState, cluster: string): Set<string> {
  const active = new Set<string>();
  for (const service of ecs.services) {
    if (service.clusterName === cluster && service.status === 'ACTIVE') active.add(service.name);
  }
  for (const task of ecs.tasks.values()) {
    if (task.clusterName === cluster && isRunning(task) && isMeshTask(task)) active.add(serviceOf(task));
  }
  return active;
}

export interface ObservedCluster {
  readonly name: string;
  /** Its secrets (names or ARNs): the per-service ones and the client secret. */
  readonly secrets: readonly string[];
}

export interface ObservedState {
  readonly ecs: EcsState;
  readonly consul: () => ConsulState;
  readonly secrets: SecretStore;
  readonly clusters: readonly ObservedCluster[];
}

const key = (cluster: string, service: string) => `${cluster}\u0000${service}`;

export class Observer {
  readonly secretIds = new Map<string, string>();
  readonly owners = new Map<string, TokenOwner>();
  readonly ownerChanges: OwnerChange[] = [];
  readonly secretAccessors = new Map<string, Map<string, Set<string>>>();
  private readonly firstSeen = new Map<string, number>();
  private readonly lastActive = new Map<string, number>();
  private readonly activeSince = new Map<string, number>();
  private readonly activeBy = new Map<string, Set<string>>();
  private readonly clusterNames: string[];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly world: ObservedState) {
    this.clusterNames = world.clusters.map((c) => c.name);
  }

  /** The services active in `cluster` at the last sample. */
  active(cluster: string): ReadonlySet<string> {
    return this.activeBy.get(cluster) ?? new Set();
  }

  start(everyMs = 100): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
    this.sweepSecrets();
  }

  remember(secretId: string, label: string): void {
    const key = secretId.toLowerCase();
    if (!this.secretIds.has(key)) this.secretIds.set(key, label);
  }

  goneForMs(cluster: string, service: string): number {
    const last = this.lastActive.get(key(cluster, service));
    return last === undefined ? Number.POSITIVE_INFINITY : performance.now() - last;
  }

  activeForMs(cluster: string, service: string): number {
    const since = this.activeSince.get(key(cluster, service));
    return since === undefined ? 0 : performance.now() - since;
  }

  /** How long ago a sample first saw the token `accessorId` (0 if never). */
  knownForMs(accessorId: string): number {
    const first = this.firstSeen.get(accessorId);
    return first === undefined ? 0 : performance.now() - first;
  }

  sample(): void {
    const now = performance.now();
    for (const { name, secrets } of this.world.clusters) {
      const active = activeServices(this.world.ecs, name);
      for (const service of this.active(name)) {
        if (!active.has(service)) this.activeSince.delete(key(name, service));
      }
      for (const service of active) {
        this.lastActive.set(key(name, service), now);
        if (!this.activeSince.has(key(name, service))) this.activeSince.set(key(name, service), now);
      }
      this.activeBy.set(name, active);
      const named = this.secretAccessors.get(name) ?? new Map<string, Set<string>>();
      this.secretAccessors.set(name, named);
      for (const id of secrets) {
        const secret = this.world.secrets.find(id);
        if (!secret) continue;
        for (const version of secret.versions.values()) {
          const accessor = accessorOf(version.secretString);
          if (accessor === undefined) continue;
          const set = named.get(secret.name) ?? new Set<string>();
          set.add(accessor);
          named.set(secret.name, set);
        }
      }
    }
    for (const token of this.world.consul().tokens.values()) {
      this.remember(token.secretId, `token ${token.accessorId}`);
      const owner = tokenOwner(token, this.clusterNames);
      const first = this.owners.get(token.accessorId);
      if (first === undefined) {
        if (owner) this.owners.set(token.accessorId, owner);
      } else if (owner?.cluster !== first.cluster || owner.service !== first.service) {
        this.ownerChanges.push({ accessorId: token.accessorId, from: first, to: owner });
        if (owner) this.owners.set(token.accessorId, owner);
        else this.owners.delete(token.accessorId);
      }
      if (!this.firstSeen.has(token.accessorId)) this.firstSeen.set(token.accessorId, now);
    }
  }

  /** Every `token` ever written to a secret version still stored. */
  sweepSecrets(): void {
    for (const secret of this.world.secrets.all()) {
      for (const version of secret.versions.values()) {
        try {
          const value = JSON.parse(version.secretString ?? '') as { token?: unknown; accessor_id?: unknown };
          if (typeof value?.token === 'string' && value.token.length >= 32) {
            this.remember(value.token, `the secret ${secret.name} (accessor ${String(value.accessor_id)})`);
          }
        } catch {
          // not JSON: holds no SecretID
        }
      }
    }
  }
}

function accessorOf(value: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(value ?? '') as { accessor_id?: unknown } | null;
    return typeof parsed?.accessor_id === 'string' ? parsed.accessor_id : undefined;
  } catch {
    return undefined;
  }
}
