/**
 * EventPath: the road of the chaos run's "ECS Task State Change" events, from envtest ECS (its
 * `publish` hook) to one envtest SQS queue per served cluster, with the seeded losses on it and the
 * forger of foreign events; and of its "ECS Deployment State Change" events (`publishService`),
 * routed and lost the same way, counted apart (`serviceCounts`).
 *
 * Invariants:
 * - `publish` routes each event by its exact `detail.clusterArn` to that served cluster's queue, as
 *   one EventBridge rule per cluster would. An event of an unserved cluster (`other`) reaches no
 *   queue (counted `unrouted`, not lost).
 * - While on (`start()` to `stop()`: the run's fault phase), a routed event is lost when its
 *   cluster's loss window is open, else with the base fraction. Every routed event takes exactly
 *   one draw of the seeded loss stream (window or not), so the loss decisions are the seed's;
 *   which event each falls on depends on timing, as for the API faults. Off, nothing is lost.
 *   `lost` counts lost deliveries (a duplicate is a delivery of its own), `lostInWindows` those of
 *   them lost to a window.
 * - The last event of every task, lost or not, is kept for forgeries.
 * - `forge` sends to a served cluster's queue a copy of a task's last event with a fresh id, the
 *   given status as desired and last status, `detail.version` 10 higher, and a `detail.clusterArn`
 *   that is never that cluster's own ARN (checked: it throws rather than forge our own cluster).
 * - The event pipe's own faults (duplicate, reorder, delay) are armed only while on (`armPipe`);
 *   `stop()` clears those not yet used and delivers a held-back event.
 * - `repeat(times, everyMs, send)` calls `send` `times` more times, `everyMs` apart, while on:
 *   `stop()` cancels what is left.
 */
import { randomUUID } from 'node:crypto';

import { type TaskEventPipe, TASK_STATE_CHANGE_OPERATION } from '../../envtest/ecs/event-pipe.js';
import { type TaskStateChangeEvent } from '../../envtest/ecs/task-events.js';
import { type Queue } from '../../envtest/sqs/model.js';
import { type SqsState } from '../../envtest/sqs/state.js';
import { type Forge, type ForgedStatus } from './event-ops.js';
import { type Prng } from './prng.js';

/** The account a forged `other-account` event names: not ours, with our cluster's name. */
export const FOREIGN_ACCOUNT = '999999999999';
/** The region a forged `other-region` event names. */
export const FOREIGN_REGION = 'eu-west-1';

interface Route {
  readonly name: string;
  readonly arn: string;
  /** Absent for an unserved cluster. */
  readonly queue: Queue | undefined;
}

export interface EventPathCounts {
  published: number;
  delivered: number;
  lost: number;
  lostInWindows: number;
  unrouted: number;
  forged: number;
}

function zeroCounts(): EventPathCounts {
  return { published: 0, delivered: 0, lost: 0, lostInWindows: 0, unrouted: 0, forged: 0 };
}

export class EventPath {
  readonly counts = zeroCounts();
  /** The same counts for the service deployment events (none are forged). */
  readonly serviceCounts = zeroCounts();
  private readonly routes: Route[] = [];
  private readonly lastEvent = new Map<string, TaskStateChangeEvent>();
  private readonly windowUntil = new Map<string, number>();
  private pipe: TaskEventPipe | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private on = false;

  /** `fraction` and `draws`: the seed's base loss and loss stream (`eventLoss(seed)`). */
  constructor(
    private readonly sqs: SqsState,
    readonly lossFraction: number,
    private readonly draws: Prng,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A cluster whose events go to `queue` (served), or nowhere (`undefined`: unserved). */
  addCluster(name: string, arn: string, queue: Queue | undefined): void {
    this.routes.push({ name, arn, queue });
  }

  /** The ECS server's event pipe, whose own faults `armPipe` sets. */
  attachPipe(pipe: TaskEventPipe): void {
    this.pipe = pipe;
  }

  get active(): boolean {
    return this.on;
  }

  start(): void {
    this.on = true;
  }

  stop(): void {
    this.on = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.windowUntil.clear();
    this.pipe?.faults.clear();
    this.pipe?.flush();
  }

  /** Faults injected by the event pipe itself (duplicates, reorders, delays). */
  pipeFaults(): number {
    return this.pipe?.faults.injectedCount ?? 0;
  }

  /** Loses every event of `cluster` for the next `ms` (while on). */
  loseFor(cluster: string, ms: number): void {
    const until = this.now() + ms;
    this.windowUntil.set(cluster, Math.max(this.windowUntil.get(cluster) ?? 0, until));
  }

  /** Arms the pipe's faults for its next events; false when off or without a pipe. */
  armPipe(faults: { duplicate: number; reorder: number; delay: number; delayMs: number }): boolean {
    if (!this.on || !this.pipe) return false;
    const operation = TASK_STATE_CHANGE_OPERATION;
    this.pipe.faults.add({ operation, kind: 'duplicate', count: faults.duplicate });
    this.pipe.faults.add({ operation, kind: 'reorder', count: faults.reorder });
    this.pipe.faults.add({ operation, kind: 'delay', count: faults.delay, latencyMs: faults.delayMs });
    return true;
  }

  /** Calls `send` `times` more times, `everyMs` apart, while on. */
  repeat(times: number, everyMs: number, send: () => void): void {
    if (times <= 0 || !this.on) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.on) return;
      send();
      this.repeat(times - 1, everyMs, send);
    }, everyMs);
    this.timers.add(timer);
  }

  /** The `publish` hook of envtest ECS's event pipe. */
  readonly publish = (body: string, event: TaskStateChangeEvent): void => {
    this.counts.published += 1;
    const taskArn = event.detail.taskArn;
    if (typeof taskArn === 'string') this.lastEvent.set(taskArn, event);
    this.deliver(event.detail.clusterArn, body, this.counts);
  };

  /**
   * The `publishService` hook: an "ECS Deployment State Change" event, routed by the cluster of
   * its service ARN (`…:service/<cluster>/<name>`, as the EventBridge rule's prefix matches it) and
   * lost as task events are (same windows, same draws).
   */
  readonly publishService = (body: string): void => {
    this.serviceCounts.published += 1;
    const serviceArn = (JSON.parse(body) as { resources?: unknown[] }).resources?.[0];
    const clusterArn =
      typeof serviceArn === 'string'
        ? serviceArn.replace(':service/', ':cluster/').replace(/\/[^/]+$/, '')
        : undefined;
    this.deliver(clusterArn, body, this.serviceCounts);
  };

  /** Delivers `body` to the queue of the cluster `clusterArn`, unless lost (see the invariants). */
  private deliver(clusterArn: unknown, body: string, counts: EventPathCounts): void {
    const route = this.routes.find((r) => r.arn === clusterArn);
    if (!route?.queue) {
      counts.unrouted += 1;
      return;
    }
    const draw = this.draws.next();
    if (this.on) {
      const inWindow = (this.windowUntil.get(route.name) ?? 0) > this.now();
      if (inWindow || draw < this.lossFraction) {
        counts.lost += 1;
        if (inWindow) counts.lostInWindows += 1;
        return;
      }
    }
    this.sqs.sendMessage(route.queue, body);
    counts.delivered += 1;
  }

  /** The ARN a `forge` forgery into `cluster`'s queue names. */
  forgedArn(cluster: string, forge: Forge): string {
    const own = this.route(cluster).arn;
    const unserved = this.routes.find((r) => r.queue === undefined)?.arn;
    const sibling = this.routes.find((r) => r.queue !== undefined && r.name !== cluster)?.arn ?? unserved;
    let arn: string | undefined;
    switch (forge) {
      case 'other-account':
        arn = own.replace(/^(arn:aws:ecs:[^:]+):\d{12}:/, `$1:${FOREIGN_ACCOUNT}:`);
        break;
      case 'other-region':
        arn = own.replace(/^arn:aws:ecs:[^:]+:/, `arn:aws:ecs:${FOREIGN_REGION}:`);
        break;
      case 'sibling':
        arn = sibling;
        break;
      case 'unserved':
        arn = unserved;
        break;
    }
    if (arn === undefined || arn === own) throw new Error(`no ${forge} cluster ARN other than ${own}`);
    return arn;
  }

  /**
   * Sends to `cluster`'s queue a forged copy of `taskArn`'s last event (see the invariants); false
   * when the task has no event yet.
   */
  forge(cluster: string, taskArn: string, forge: Forge, status: ForgedStatus): boolean {
    const real = this.lastEvent.get(taskArn);
    const queue = this.route(cluster).queue;
    if (!real || !queue) return false;
    const now = new Date();
    const forged: TaskStateChangeEvent = {
      ...real,
      id: randomUUID(),
      time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      detail: {
        ...real.detail,
        clusterArn: this.forgedArn(cluster, forge),
        desiredStatus: status,
        lastStatus: status,
        updatedAt: now.toISOString(),
        version: Number(real.detail.version) + 10,
      },
    };
    this.sqs.sendMessage(queue, JSON.stringify(forged));
    this.counts.forged += 1;
    return true;
  }

  private route(cluster: string): Route {
    const route = this.routes.find((r) => r.name === cluster && r.queue !== undefined);
    if (!route) throw new Error(`cluster ${cluster} has no events queue`);
    return route;
  }
}
