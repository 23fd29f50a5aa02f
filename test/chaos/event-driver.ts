/**
 * EventDriver: applies the event-path ops of ./event-ops.ts to the run's EventPath and replicas.
 *
 * Invariants:
 * - An op that finds nothing to act on (no event path, faults off, no task of the wanted status
 *   with an event yet, no replica alive) is skipped: `apply` returns false.
 * - `forge-event` STOPPED picks one service by `pick`, sorted by name, among the op cluster's
 *   services that run a mesh task and have no ACTIVE ECS service (those a believed forgery would
 *   leave with nothing keeping their token: pre-provisioning keeps an ACTIVE ECS service's), or
 *   among all services running one when each has an ECS service, and forges a STOPPED event for
 *   each of its running mesh tasks. RUNNING picks `count` distinct stopped mesh tasks (as many as
 *   there are) from `pick` on, modulo, sorted by ARN. The same tasks' forgeries are sent again
 *   `repeats` times, FORGE_REPEAT_MS apart, while the faults are on. The forged ARN is never the
 *   op cluster's own (EventPath checks it).
 * - `lose-and-kill-leader` waits (bounded) for `cluster` to have a leader, then opens the loss
 *   window on `cluster` and only then kills the leader (through `killLeader`, the driver's own
 *   leader kill), so the handover happens while that cluster's events are lost.
 */
import { type EcsState } from '../../envtest/ecs/state.js';
import { type EventOp } from './event-ops.js';
import { type EventPath } from './event-path.js';
import { isMeshTask, isRunning, serviceOf } from './running-tasks.js';
import { sleep } from './retrying.js';

type Of<K extends EventOp['kind']> = Extract<EventOp, { kind: K }>;

/** How far apart a forgery's repeats are sent. */
export const FORGE_REPEAT_MS = 1_000;

export interface EventDriverWorld {
  readonly ecs: EcsState;
  readonly path: EventPath | undefined;
  /** Whether `cluster` has a live leader among the replicas now. */
  hasLeader(cluster: string): boolean;
  /** Kills `cluster`'s leader (or any replica if none) and restarts it `restartAfterMs` later. */
  killLeader(cluster: string, restartAfterMs: number): Promise<boolean>;
}

export class EventDriver {
  constructor(private readonly world: EventDriverWorld) {}

  async apply(op: EventOp): Promise<boolean> {
    const { path } = this.world;
    if (!path?.active) return false;
    switch (op.kind) {
      case 'lose-events':
        path.loseFor(op.cluster, op.durationMs);
        return true;
      case 'event-faults':
        return path.armPipe(op);
      case 'forge-event':
        return this.forge(path, op);
      case 'lose-and-kill-leader':
        return this.handover(path, op);
    }
  }

  private forge(path: EventPath, op: Of<'forge-event'>): boolean {
    const tasks = [...this.world.ecs.tasks.values()].filter(
      (t) => t.clusterName === op.cluster && isMeshTask(t),
    );
    let chosen: string[];
    if (op.status === 'STOPPED') {
      const running = tasks.filter(isRunning);
      const services = [...new Set(running.map(serviceOf))].sort();
      const kept = new Set(
        this.world.ecs.services
          .filter((s) => s.clusterName === op.cluster && s.status === 'ACTIVE')
          .map((s) => s.name),
      );
      const unkept = services.filter((s) => !kept.has(s));
      const candidates = unkept.length > 0 ? unkept : services;
      if (candidates.length === 0) return false;
      const service = candidates[op.pick % candidates.length];
      chosen = running.filter((t) => serviceOf(t) === service).map((t) => t.arn);
    } else {
      const stopped = tasks
        .filter((t) => !isRunning(t))
        .map((t) => t.arn)
        .sort();
      chosen = Array.from(
        { length: Math.min(op.count, stopped.length) },
        (_, i) => stopped[(op.pick + i) % stopped.length],
      );
    }
    const send = () => chosen.filter((task) => path.forge(op.cluster, task, op.forge, op.status)).length;
    const forged = send();
    if (forged > 0) path.repeat(op.repeats, FORGE_REPEAT_MS, send);
    return forged > 0;
  }

  private async handover(path: EventPath, op: Of<'lose-and-kill-leader'>): Promise<boolean> {
    const deadline = performance.now() + 8_000;
    while (!this.world.hasLeader(op.cluster) && performance.now() < deadline) await sleep(50);
    path.loseFor(op.cluster, op.lossMs);
    return this.world.killLeader(op.cluster, op.restartAfterMs);
  }
}
