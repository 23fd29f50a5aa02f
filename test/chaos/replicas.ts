/**
 * Replicas: the controller replicas of a chaos run, each the real CLI (`acl-controller` with
 * `-leader-election`) as its own process, killed with SIGKILL and restarted by the driver.
 *
 * Invariants:
 * - Slot i runs at most one process at a time; a restart starts a new process in the same slot.
 * - Every output line of every process goes to the LogScan, tagged `replica <i>#<generation>`.
 * - Each process's /metrics page is scanned just before it is killed (and at the end by main).
 * - An exit the run did not cause (not a SIGKILL it sent, not the final SIGTERM) is a crash;
 *   so is a final SIGTERM that does not end in exit code 0.
 * - Every replica serves every cluster of the target (`-cluster`, `-secret-name-prefix`,
 *   `-consul-client-secret-arn` repeated in that order). Each cluster has its own lock, so each
 *   may be led by a different replica. In events mode each also gets `-events-queue-url` (its
 *   cluster's queue, in the same order) and the SQS endpoint; `-resync-interval` is always given
 *   explicitly (the CLI would otherwise make it 10 minutes with events).
 * - Every /metrics page read (before a kill, every minute, at the end) is also handed to the
 *   `onMetrics` listeners with the slot and generation it came from.
 * - A cluster's leader is read from Consul's state in-process: the holder `host/pid` of
 *   `ecs-acl-controller/<cluster>/leader` (or the `command`'s lock key), while its session exists.
 * - With a `command` (the `controller` run), its argv replaces the `acl-controller` flags and its
 *   environment is added to the common one.
 * - `stopAll()` SIGTERMs every live process and waits for it.
 */
import { type ConsulState } from '../../envtest/consul/state.js';
import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';
import { controllerArgs, controllerEnv } from '../helpers/controller-cli.js';
import { type NodeChild, startNodeChild } from '../helpers/node-child.js';

import { type LogScan } from './log-scan.js';

export interface ReplicaTarget {
  readonly clusters: ReadonlyArray<{
    readonly name: string;
    readonly prefix: string;
    readonly clientSecretArn: string;
    /** Events mode: the cluster's task events queue. */
    readonly eventsQueueUrl?: string;
  }>;
  readonly ecsUrl: string;
  readonly secretsManagerUrl: string;
  /** Events mode: the SQS endpoint. */
  readonly sqsUrl?: string;
  readonly consulUrl: string;
  readonly managementToken: string;
  readonly consulState: () => ConsulState;
  /** The envtest Consul's session_ttl_min, passed as -consul-session-ttl-min. */
  readonly sessionTtlMinMs: number;
  /**
   * Another command than `acl-controller` (the `controller` run, ./iam-main.ts): its whole argv
   * (built from the timings), the environment it adds, and its lock key per cluster.
   */
  readonly command?: ReplicaCommand;
}

export interface ReplicaCommand {
  readonly args: (timings: Timings) => string[];
  readonly env: Readonly<Record<string, string>>;
  readonly lockKey: (cluster: string) => string;
}

export interface Timings {
  readonly resyncMs: number;
  readonly secretRecheckMs: number;
  readonly graceMs: number;
  readonly ttlMs: number;
  readonly renewMs: number;
  readonly lockDelayMs: number;
}

/**
 * The replicas' timings. `-resync-interval` is 5 s in events mode, so that events matter: a task
 * change is seen from its event at once, or, when its event was lost, only at the next relist up
 * to 5 s later (with 2 s the relist would hide most losses). Without events it stays 2 s. The
 * secret recheck stays 2 s either way (hostile secret plants are repaired at the recheck). The ECS
 * service relist (`-service-resync-interval`, 1 h by default with events) is compressed the same
 * way, to the resync: service deployment events are lost as task events are, and an ECS service
 * created at desired count 0 whose event was lost is learnt only from a service relist, which
 * must come within the bound.
 */
export function chaosTimings(events: boolean, secretRecheckMs = 2_000): Timings {
  return {
    resyncMs: events ? 5_000 : 2_000,
    secretRecheckMs,
    graceMs: 3_000,
    ttlMs: 3_000,
    renewMs: 1_000,
    lockDelayMs: 1_000,
  };
}

interface Slot {
  process: NodeChild | undefined;
  generation: number;
  /** Set just before the run signals this process itself. */
  expected: 'kill' | 'stop' | undefined;
}

const ms = (value: number) => `${value}ms`;

export class Replicas {
  readonly slots: Slot[];
  readonly crashes: string[] = [];
  kills = 0;
  leaderKills = 0;
  readonly onMetrics: Array<(slot: number, generation: number, text: string) => void> = [];

  constructor(
    private readonly target: ReplicaTarget,
    private readonly timings: Timings,
    private readonly scan: LogScan,
    count = 2,
    /** Also given every output line, with its source (`--log-file`). */
    private readonly onLogLine?: (source: string, line: string) => void,
  ) {
    this.slots = Array.from({ length: count }, () => ({
      process: undefined,
      generation: 0,
      expected: undefined,
    }));
  }

  flags(): string[] {
    const t = this.timings;
    if (this.target.command) return this.target.command.args(t);
    const queues = this.target.clusters.flatMap((c) =>
      c.eventsQueueUrl === undefined ? [] : ['-events-queue-url', c.eventsQueueUrl],
    );
    if (queues.length > 0 && queues.length !== 2 * this.target.clusters.length) {
      throw new Error('events mode needs a queue for every cluster');
    }
    return [
      ...controllerArgs(this.target.clusters.map((c) => ({ ...c, cluster: c.name }))),
      ...queues,
      '-log-level',
      'debug',
      '-log-format',
      'json',
      '-resync-interval',
      ms(t.resyncMs),
      '-service-resync-interval',
      ms(t.resyncMs),
      '-gc-grace-period',
      ms(t.graceMs),
      '-secret-recheck-interval',
      ms(t.secretRecheckMs),
      '-leader-election',
      '-leader-election-ttl',
      ms(t.ttlMs),
      '-leader-election-renew',
      ms(t.renewMs),
      '-leader-election-lock-delay',
      ms(t.lockDelayMs),
      '-consul-session-ttl-min',
      ms(this.target.sessionTtlMinMs),
      '-graceful-shutdown-timeout',
      '10s',
    ];
  }

  async start(index: number): Promise<void> {
    const slot = this.slots[index];
    if (slot.process && slot.process.child.exitCode === null && slot.process.child.signalCode === null)
      return;
    slot.generation += 1;
    slot.expected = undefined;
    const source = `replica ${index}#${slot.generation}`;
    const t = this.target;
    const child = await startNodeChild(this.flags(), {
      env: {
        ...controllerEnv({
          ecsUrl: t.ecsUrl,
          secretsManagerUrl: t.secretsManagerUrl,
          ...(t.sqsUrl !== undefined ? { sqsUrl: t.sqsUrl } : {}),
          consulUrl: t.consulUrl,
          consulToken: t.managementToken,
          accessKeyId: CONTROLLER_ACCESS_KEY_ID,
          secretAccessKey: 'controller-secret',
        }),
        ...t.command?.env,
      },
      keepLines: 200,
      onLine: (line) => {
        this.scan.line(source, line);
        this.onLogLine?.(source, line);
      },
    });
    slot.process = child;
    void child.exited.then((code) => {
      const signal = child.child.signalCode;
      if (slot.expected === 'kill' && signal === 'SIGKILL') return;
      if (slot.expected === 'stop' && code === 0) return;
      this.crashes.push(
        `${source} (pid ${child.pid}) exited with ${signal ?? `code ${code}`} (${slot.expected ?? 'not caused by the run'}): ${child.logs.slice(-3).join(' | ').slice(0, 600)}`,
      );
    });
  }

  /** Pid of the replica holding `cluster`'s lock, if a live session holds it. */
  leaderPid(cluster: string): number | undefined {
    const state = this.target.consulState();
    const key = this.target.command?.lockKey(cluster) ?? `ecs-acl-controller/${cluster}/leader`;
    for (const entry of state.kv.values()) {
      if (entry.key !== key || entry.session === undefined || !state.sessions.has(entry.session)) continue;
      try {
        const { holder } = JSON.parse(entry.value?.toString() ?? '') as { holder?: string };
        const pid = Number(holder?.split('/').pop());
        return Number.isInteger(pid) ? pid : undefined;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Slot of `cluster`'s leader, if it is one of ours and alive. */
  leaderSlot(cluster: string): number | undefined {
    const pid = this.leaderPid(cluster);
    const index = this.slots.findIndex((slot) => this.alive(slot) && slot.process?.pid === pid);
    return index >= 0 ? index : undefined;
  }

  /** Whether every served cluster has a live leader among the slots. */
  allLed(): boolean {
    return this.target.clusters.every((c) => this.leaderSlot(c.name) !== undefined);
  }

  /** The clusters slot `index` leads now. */
  ledBy(index: number): string[] {
    return this.target.clusters.map((c) => c.name).filter((name) => this.leaderSlot(name) === index);
  }

  /** `chaos → replica 0 (pid 123, generation 2)` per served cluster; `nobody` for a free lock. */
  holders(): string[] {
    return this.target.clusters.map(({ name }) => {
      const slot = this.leaderSlot(name);
      if (slot === undefined) {
        const pid = this.leaderPid(name);
        return `${name} → nobody${pid === undefined ? '' : ` (lock names pid ${pid}, not a live replica)`}`;
      }
      const { process, generation } = this.slots[slot];
      return `${name} → replica ${slot} (pid ${process?.pid}, generation ${generation})`;
    });
  }

  alive(slot: Slot): boolean {
    const child = slot.process?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** SIGKILLs slot `index` and waits for the process to be gone; false if it was not running. */
  async kill(index: number): Promise<boolean> {
    const slot = this.slots[index];
    if (!slot.process || !this.alive(slot)) return false;
    if (this.ledBy(index).length > 0) this.leaderKills += 1;
    await this.scrapeMetrics(index);
    slot.expected = 'kill';
    slot.process.child.kill('SIGKILL');
    this.kills += 1;
    await slot.process.exited;
    return true;
  }

  /** Feeds slot `index`'s /metrics page to the LogScan and returns it; undefined if unreadable. */
  async scrapeMetrics(index: number): Promise<string | undefined> {
    const slot = this.slots[index];
    if (!slot.process || !this.alive(slot)) return undefined;
    try {
      const response = await fetch(`${slot.process.opsUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
      const text = await response.text();
      this.scan.text(`replica ${index}#${slot.generation} /metrics`, text);
      for (const listener of this.onMetrics) listener(index, slot.generation, text);
      return text;
    } catch {
      return undefined;
    }
  }

  async startAll(): Promise<void> {
    for (let i = 0; i < this.slots.length; i += 1) await this.start(i);
  }

  pids(): Array<number | undefined> {
    return this.slots.map((slot) => (this.alive(slot) ? slot.process?.pid : undefined));
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.slots.map(async (slot) => {
        if (!slot.process || !this.alive(slot)) return;
        slot.expected = 'stop';
        await slot.process.stop();
      }),
    );
  }
}
