/**
 * Observer: samples the envtest state in-process while the run goes on (no API calls, so faults
 * do not blind it).
 *
 * Invariants:
 * - A service is active when our cluster has an ACTIVE ECS service of that name (pre-provisioning
 *   gives it a token even at desired count 0), or a task with desiredStatus RUNNING, not yet
 *   STOPPED, carrying the mesh tag, whose family (or `consul.hashicorp.com/service-name` tag) is
 *   the service. Tasks of other clusters never count.
 * - `goneForMs(s)` is the time since the last sample that found `s` active (Infinity if none).
 * - Every SecretID of every token Consul held at any sample, plus those `remember()`ed, is in
 *   `secretIds` (with the token's AccessorID), so a token created and deleted between two samples
 *   can be missed only if it also never reached a secret (the final sweep reads every secret
 *   version).
 */
import { type EcsState } from '../../src/envtest/ecs/state.js';
import { type ConsulState } from '../../src/envtest/consul/state.js';
import { type SecretStore } from '../../src/envtest/secretsmanager/store.js';

const MESH_KEY = 'consul.hashicorp.com/mesh';
const NAME_KEY = 'consul.hashicorp.com/service-name';

export function activeServices(ecs: EcsState, cluster: string): Set<string> {
  const active = new Set<string>();
  for (const service of ecs.services) {
    if (service.clusterName === cluster && service.status === 'ACTIVE') active.add(service.name);
  }
  for (const task of ecs.tasks.values()) {
    if (task.clusterName !== cluster || task.desiredStatus !== 'RUNNING' || task.lastStatus === 'STOPPED') {
      continue;
    }
    if (!task.tags.some((tag) => tag.key === MESH_KEY && tag.value === 'true')) continue;
    active.add(task.tags.find((tag) => tag.key === NAME_KEY)?.value ?? task.family);
  }
  return active;
}

export interface ObservedState {
  readonly ecs: EcsState;
  readonly consul: () => ConsulState;
  readonly secrets: SecretStore;
  readonly cluster: string;
}

export class Observer {
  readonly secretIds = new Map<string, string>();
  private readonly lastActive = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  active = new Set<string>();

  constructor(private readonly world: ObservedState) {}

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

  goneForMs(service: string): number {
    const last = this.lastActive.get(service);
    return last === undefined ? Number.POSITIVE_INFINITY : performance.now() - last;
  }

  sample(): void {
    const now = performance.now();
    this.active = activeServices(this.world.ecs, this.world.cluster);
    for (const service of this.active) this.lastActive.set(service, now);
    for (const token of this.world.consul().tokens.values()) {
      this.remember(token.secretId, `token ${token.accessorId}`);
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
