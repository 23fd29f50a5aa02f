/**
 * IamDriver: applies the ops of ./iam-ops.ts (the `controller` chaos run) to the world, through
 * the APIs a user would use (ECS, Consul HTTP with the driver's own token), retried through the
 * injected faults, and to the replicas (SIGKILL); event-path ops through ./event-driver.ts.
 *
 * Invariants:
 * - An op that does not apply to what it finds (no running task, no token to re-describe, events
 *   off) is skipped and counted as skipped, never retried as another op.
 * - `pick` indexes the candidates sorted by task ARN (or AccessorID), modulo their number.
 * - The driver never deletes a token or deregisters a service: every removal is the controller's
 *   (./iam-watch.ts relies on it), and every Consul write of the driver carries its own token.
 * - A re-description scheduled by `redescribe-token` runs while the faults are on or after;
 *   `settle()` waits for every one still pending.
 * - Forged STOPPED events (`forge-own-stop`) name our cluster's exact ARN (the hostile tenant can
 *   send to our queue), with `detail.version` 10 above the task's, and are repeated only while
 *   the event path is on.
 */
import { RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { randomBytes, randomUUID } from 'node:crypto';

import { type Task } from '../../envtest/ecs/model.js';
import { taskStateChangeEvent } from '../../envtest/ecs/task-events.js';
import { type Queue } from '../../envtest/sqs/model.js';
import { loginDescription } from '../acl/login-tokens.js';
import { type ChaosWorld, MESH_TAG } from './chaos-world.js';
import { EventDriver, FORGE_REPEAT_MS } from './event-driver.js';
import { type ForeignCluster, type IamOp, isIamEventOp } from './iam-ops.js';
import { loginMeta } from './iam-watch.js';
import { OpTally, type OpOutcome } from './op-tally.js';
import { type Replicas } from './replicas.js';
import { retrying, sleep } from './retrying.js';
import { isRunning, serviceOf } from './running-tasks.js';

type Of<K extends IamOp['kind']> = Extract<IamOp, { kind: K }>;

export interface IamTarget {
  readonly cluster: string;
  readonly clusterArn: string;
  readonly account: string;
  readonly region: string;
  /** Our cluster's events queue (events mode). */
  readonly queue: Queue | undefined;
  readonly graceMs: number;
}

export class IamDriver {
  /** How its ops went. */
  readonly tally = new OpTally();
  consulRestarts = 0;
  forgedOwn = 0;
  private readonly events: EventDriver;
  private readonly pending = new Set<Promise<void>>();
  private serviceCount = 0;

  constructor(
    private readonly world: ChaosWorld,
    private readonly replicas: Replicas,
    private readonly target: IamTarget,
  ) {
    this.events = new EventDriver({
      ecs: world.ecsServer.state,
      path: world.events,
      hasLeader: (cluster) => replicas.leaderSlot(cluster) !== undefined,
      killLeader: (_cluster, restartAfterMs) =>
        this.run({ kind: 'kill-replica', target: 'leader', restartAfterMs }),
    });
  }

  apply(op: IamOp): Promise<OpOutcome> {
    return this.tally.apply(op.kind, () => this.run(op));
  }

  /** Waits for every scheduled re-description. */
  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Our cluster's running tasks, sorted by ARN. */
  running(): Task[] {
    return [...this.world.ecsServer.state.tasks.values()]
      .filter((t) => t.clusterName === this.target.cluster && isRunning(t))
      .sort((a, b) => a.arn.localeCompare(b.arn));
  }

  stopped(): Task[] {
    return [...this.world.ecsServer.state.tasks.values()]
      .filter((t) => t.clusterName === this.target.cluster && !isRunning(t))
      .sort((a, b) => a.arn.localeCompare(b.arn));
  }

  /** Starts a mesh task of `service`; its ARN. */
  async runTask(service: string): Promise<string> {
    const { tasks } = await retrying('RunTask', () =>
      this.world.ecs.send(
        new RunTaskCommand({ cluster: this.target.cluster, taskDefinition: service, tags: [MESH_TAG] }),
      ),
    );
    return tasks?.[0]?.taskArn as string;
  }

  async stopTask(task: Task): Promise<void> {
    await retrying('StopTask', () =>
      this.world.ecs.send(new StopTaskCommand({ cluster: this.target.cluster, task: task.arn })),
    );
  }

  /** The login token Consul makes when `task` logs in; its AccessorID. */
  async loginToken(task: Task, byArn: boolean): Promise<string> {
    const cluster = byArn ? this.target.clusterArn : this.target.cluster;
    return this.createToken(loginDescription(cluster, task.id), serviceOf(task));
  }

  async registerService(
    node: string,
    id: string,
    service: string,
    meta: Record<string, string>,
  ): Promise<void> {
    await this.consul('catalog register', 'PUT', '/v1/catalog/register', {
      Node: node,
      Address: '127.0.0.1',
      ...(node === this.target.clusterArn ? { NodeMeta: { 'synthetic-node': 'true' } } : {}),
      Service: { ID: id, Service: service, Port: 8080, Meta: meta },
    });
  }

  private async run(op: IamOp): Promise<boolean> {
    if (isIamEventOp(op)) return this.events.apply(op);
    const running = this.running();
    const pick = <T>(items: readonly T[], index: number): T | undefined =>
      items.length === 0 ? undefined : items[index % items.length];
    switch (op.kind) {
      case 'run-task':
        await this.runTask(op.service);
        return true;
      case 'stop-task': {
        const task = pick(running, op.pick);
        if (!task) return false;
        await this.stopTask(task);
        return true;
      }
      case 'login-token': {
        const task = pick(running, op.pick);
        if (!task) return false;
        await this.loginToken(task, op.byArn);
        return true;
      }
      case 'register-service': {
        const task = pick(running, op.pick);
        if (!task) return false;
        const service = serviceOf(task);
        await this.registerService(this.target.clusterArn, `${service}-${task.id}`, service, {
          'task-id': task.id,
        });
        return true;
      }
      case 'restart-consul':
        await this.world.restartConsul(op.downMs);
        this.consulRestarts += 1;
        return true;
      case 'kill-replica':
        return this.kill(op);
      case 'foreign-login-token': {
        const task = pick(this.stopped(), op.pick) ?? pick(running, op.pick);
        const taskId = task?.id ?? randomBytes(16).toString('hex');
        await this.createToken(loginDescription(this.foreignCluster(op.foreign), taskId), 'web');
        return true;
      }
      case 'redescribe-token':
        return this.redescribe(op);
      case 'bare-service':
        return this.bareService(op);
      case 'forge-own-stop':
        return this.forgeOwnStop(op, running);
    }
  }

  private foreignCluster(foreign: ForeignCluster): string {
    const { clusterArn, cluster } = this.target;
    switch (foreign) {
      case 'other':
        return 'other';
      case 'look-alike':
        return `${cluster}-2`;
      case 'other-account':
        return clusterArn.replace(/:\d{12}:/, ':999999999999:');
      case 'other-region':
        return clusterArn.replace(/^arn:aws:ecs:[^:]+:/, 'arn:aws:ecs:eu-west-1:');
    }
  }

  private async kill(op: Of<'kill-replica'>): Promise<boolean> {
    const { replicas } = this;
    const { cluster } = this.target;
    if (op.target === 'leader') {
      const deadline = performance.now() + 8_000;
      while (replicas.leaderSlot(cluster) === undefined && performance.now() < deadline) await sleep(50);
    }
    const alive = replicas.slots.map((_, i) => i).filter((i) => replicas.alive(replicas.slots[i]));
    const leader = replicas.leaderSlot(cluster);
    const wanted = alive.filter((i) => (op.target === 'leader' ? i === leader : i !== leader));
    const index = (wanted.length > 0 ? wanted : alive)[0];
    if (index === undefined) return false;
    await replicas.kill(index);
    await sleep(op.restartAfterMs);
    await replicas.start(index);
    return true;
  }

  /** Stops a running task that has a login token, and re-describes that token about at its deletion. */
  private async redescribe(op: Of<'redescribe-token'>): Promise<boolean> {
    const state = this.world.consul.state;
    const runningIds = new Set(this.running().map((t) => t.id));
    const withToken = [...state.tokens.values()]
      .map((token) => ({ token, meta: loginMeta(token.description) }))
      .filter(({ meta }) => meta !== undefined && runningIds.has(meta.taskId))
      .sort((a, b) => a.token.accessorId.localeCompare(b.token.accessorId));
    if (withToken.length === 0) return false;
    const { token, meta } = withToken[op.pick % withToken.length];
    const victim = this.running().find((t) => t.id === meta?.taskId) as Task;
    const others = this.running().filter((t) => t.id !== victim.id);
    if (others.length === 0) return false;
    const to = others[op.to % others.length];
    await this.stopTask(victim);
    const description = loginDescription(meta?.cluster as string, to.id);
    const later = (async () => {
      await sleep(Math.max(0, this.target.graceMs + op.offsetMs));
      if (!this.world.consul.state.tokens.has(token.accessorId)) return;
      await this.consul('token re-description', 'PUT', `/v1/acl/token/${token.accessorId}`, {
        AccessorID: token.accessorId,
        Description: description,
        ServiceIdentities: [{ ServiceName: serviceOf(to) }],
      }).catch(() => undefined); // deleted in between: nothing to re-describe
    })();
    this.pending.add(later);
    void later.finally(() => this.pending.delete(later));
    return true;
  }

  private async bareService(op: Of<'bare-service'>): Promise<boolean> {
    this.serviceCount += 1;
    const id = `hostile-${this.serviceCount}`;
    const stopped = this.stopped()[0]?.id ?? randomBytes(16).toString('hex');
    switch (op.variant) {
      case 'no-meta':
        await this.registerService(this.target.clusterArn, id, 'hostile', {});
        return true;
      case 'slash-meta':
        await this.registerService(this.target.clusterArn, id, 'hostile', {
          'task-id': `${this.target.cluster}/${stopped}`,
        });
        return true;
      case 'other-node':
        await this.registerService(
          this.target.clusterArn.replace(/cluster\/.*$/, 'cluster/other'),
          id,
          'hostile',
          { 'task-id': stopped },
        );
        return true;
    }
  }

  private forgeOwnStop(op: Of<'forge-own-stop'>, running: readonly Task[]): boolean {
    const path = this.world.events;
    const queue = this.target.queue;
    if (!path?.active || !queue || running.length === 0) return false;
    const chosen = Array.from(
      { length: Math.min(op.count, running.length) },
      (_, i) => running[(op.pick + i) % running.length],
    );
    const send = () => {
      for (const task of chosen) {
        const event = taskStateChangeEvent(task, {
          id: randomUUID(),
          account: this.target.account,
          region: this.target.region,
          now: this.world.ecsServer.state.clock.now(),
        });
        const forged = {
          ...event,
          detail: {
            ...event.detail,
            desiredStatus: 'STOPPED',
            lastStatus: 'STOPPED',
            version: task.version + 10,
          },
        };
        this.world.sqsServer?.state.sendMessage(queue, JSON.stringify(forged));
        this.forgedOwn += 1;
      }
    };
    send();
    path.repeat(op.repeats, FORGE_REPEAT_MS, send);
    return true;
  }

  private async createToken(description: string, service: string): Promise<string> {
    const text = await this.consul('token create', 'PUT', '/v1/acl/token', {
      Description: description,
      ServiceIdentities: [{ ServiceName: service }],
    });
    return (JSON.parse(text) as { AccessorID: string }).AccessorID;
  }

  private async consul(what: string, method: string, path: string, body: unknown): Promise<string> {
    return retrying(what, async () => {
      const { status, text } = await this.world.driverCall(method, path, body);
      if (status !== 200) throw new Error(`HTTP ${status}: ${text.slice(0, 200)}`);
      return text;
    });
  }
}
