/**
 * Driver: applies chaos ops to the world, through the same APIs a user would use (ECS, Secrets
 * Manager, Consul HTTP), retried through the injected faults, and to the replicas (SIGKILL).
 *
 * Invariants:
 * - An op that does not apply to what it finds (scaling a service that does not exist, deleting a
 *   token when there is none) is skipped, and counted as skipped, never retried as another op.
 * - `pick` indexes the candidates sorted by a stable key (task ARN, AccessorID, slot), modulo
 *   their number, so the same op sequence makes the same choices for the same world.
 * - Each op acts on the served cluster it names: its services and tasks, its tokens, its
 *   `<prefix>-<service>` secrets; a leader or standby kill is judged by that cluster's lock.
 *   Out-of-band token deletions only ever name tokens of that cluster, and go through the
 *   driver's own Consul token, so the checks tell them from the controller's by the call's
 *   principal. Hostile-tenant ops are applied by ./hostile-driver.ts, event-path ops by
 *   ./event-driver.ts (whose leader handover is this driver's own leader kill). Foreign objects
 *   are never written by the run.
 * - Every SecretID the driver itself writes is remembered by the observer.
 */
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';

import { OpTally, type OpOutcome } from './op-tally.js';
import { type ChaosWorld, MESH_TAG, NON_MESH_FAMILY } from './chaos-world.js';
import { EventDriver } from './event-driver.js';
import { HostileDriver } from './hostile-driver.js';
import { ownedTokens } from './invariants.js';
import { type Observer } from './observer.js';
import { type Corruption, isEventOp, isHostile, type Op } from './ops.js';
import { type Replicas } from './replicas.js';
import { retrying, sleep } from './retrying.js';

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

export class Driver {
  /** How its ops went. */
  readonly tally = new OpTally();
  consulRestarts = 0;
  /** AccessorIDs the driver planted in another service's secret (hostile `plant-secret`). */
  readonly planted = new Set<string>();
  private readonly hostile: HostileDriver;
  private readonly events: EventDriver;

  constructor(
    private readonly world: ChaosWorld,
    private readonly replicas: Replicas,
    private readonly observer: Observer,
  ) {
    this.hostile = new HostileDriver(world, observer, this.planted);
    this.events = new EventDriver({
      ecs: world.ecsServer.state,
      path: world.events,
      hasLeader: (cluster) => replicas.leaderSlot(cluster) !== undefined,
      killLeader: (cluster, restartAfterMs) =>
        this.run({ kind: 'kill-replica', target: 'leader', pick: 0, restartAfterMs, cluster }),
    });
  }

  apply(op: Op): Promise<OpOutcome> {
    return this.tally.apply(op.kind, () => this.run(op));
  }

  private service(cluster: string, name: string) {
    const { ecsServer } = this.world;
    return ecsServer.state.services.find(
      (s) => s.clusterName === cluster && s.name === name && s.status !== 'INACTIVE',
    );
  }

  private async run(op: Op): Promise<boolean> {
    if (isHostile(op)) return this.hostile.apply(op);
    if (isEventOp(op)) return this.events.apply(op);
    const { world } = this;
    const cluster = op.kind === 'restart-consul' ? world.cluster : op.cluster;
    const ecs = (what: string, send: () => Promise<unknown>) => retrying(what, send);
    switch (op.kind) {
      case 'create-service': {
        const existing = this.service(cluster, op.service);
        if (existing?.status === 'DRAINING') return false;
        if (existing) {
          await ecs('UpdateService', () =>
            world.ecs.send(
              new UpdateServiceCommand({ cluster, service: op.service, desiredCount: op.count }),
            ),
          );
          return true;
        }
        await ecs('CreateService', () =>
          world.ecs.send(
            new CreateServiceCommand({
              cluster,
              serviceName: op.service,
              taskDefinition: op.service,
              desiredCount: op.count,
              propagateTags: 'TASK_DEFINITION',
            }),
          ),
        );
        return true;
      }
      case 'scale-service': {
        if (this.service(cluster, op.service)?.status !== 'ACTIVE') return false;
        await ecs('UpdateService', () =>
          world.ecs.send(new UpdateServiceCommand({ cluster, service: op.service, desiredCount: op.count })),
        );
        return true;
      }
      case 'delete-service': {
        if (this.service(cluster, op.service)?.status !== 'ACTIVE') return false;
        await ecs('DeleteService', () =>
          world.ecs.send(new DeleteServiceCommand({ cluster, service: op.service, force: true })),
        );
        return true;
      }
      case 'run-task':
      case 'run-non-mesh-task': {
        const mesh = op.kind === 'run-task';
        await ecs('RunTask', () =>
          world.ecs.send(
            new RunTaskCommand({
              cluster,
              taskDefinition: mesh ? op.service : NON_MESH_FAMILY,
              ...(mesh ? { tags: [MESH_TAG] } : {}),
            }),
          ),
        );
        return true;
      }
      case 'stop-task': {
        const live = [...world.ecsServer.state.tasks.values()]
          .filter((t) => t.clusterName === cluster && t.desiredStatus === 'RUNNING')
          .map((t) => t.arn)
          .sort();
        if (live.length === 0) return false;
        const task = live[op.pick % live.length];
        await ecs('StopTask', () => world.ecs.send(new StopTaskCommand({ cluster, task })));
        return true;
      }
      case 'delete-token': {
        const ours = [...ownedTokens(world.consul.state, cluster).values()]
          .flat()
          .map((t) => t.accessorId)
          .sort();
        if (ours.length === 0) return false;
        const accessor = ours[op.pick % ours.length];
        await retrying('delete token', async () => {
          const { status, text } = await world.driverCall('DELETE', `/v1/acl/token/${accessor}`);
          if (status !== 200 && status !== 404 && status !== 403) {
            throw new Error(`HTTP ${status}: ${text}`);
          }
        });
        return true;
      }
      case 'corrupt-secret': {
        const value = this.corrupted(op.corruption);
        await retrying('PutSecretValue', () =>
          world.sm.send(
            new PutSecretValueCommand({
              SecretId: world.secretName(cluster, op.service),
              SecretString: value,
            }),
          ),
        );
        return true;
      }
      case 'restart-consul':
        await world.restartConsul(op.downMs);
        this.consulRestarts += 1;
        return true;
      case 'kill-replica': {
        const { replicas } = this;
        const alive = replicas.slots.map((_, i) => i).filter((i) => replicas.alive(replicas.slots[i]));
        // A leader kill waits (bounded) for a leader: one may be between terms.
        if (op.target === 'leader') await waitFor(() => replicas.leaderSlot(cluster) !== undefined, 8_000);
        const leader = replicas.leaderSlot(cluster);
        const wanted =
          op.target === 'leader'
            ? alive.filter((i) => i === leader)
            : op.target === 'standby'
              ? alive.filter((i) => i !== leader)
              : alive;
        const candidates = wanted.length > 0 ? wanted : alive;
        if (candidates.length === 0) return false;
        const index = candidates[op.pick % candidates.length];
        await this.replicas.kill(index);
        await sleep(op.restartAfterMs);
        await this.replicas.start(index);
        return true;
      }
    }
  }

  private corrupted(corruption: Corruption): string {
    const remembered = (id: string) => {
      this.observer.remember(id, 'a SecretID the chaos driver wrote');
      return id;
    };
    switch (corruption) {
      case 'garbage':
        return 'not json {';
      case 'empty-object':
        return '{}';
      case 'blank':
        return ' ';
      case 'accessor-only':
        return JSON.stringify({ accessor_id: randomUUID() });
      case 'not-uuid':
        return JSON.stringify({ accessor_id: 'not-a-uuid', token: 'also-not-a-uuid' });
      case 'foreign-token':
        return JSON.stringify({
          accessor_id: this.world.foreign.tokens[0].accessorId,
          token: remembered(randomUUID()),
        });
      case 'fresh-ids':
        return JSON.stringify({ accessor_id: randomUUID(), token: remembered(randomUUID()) });
    }
  }
}
