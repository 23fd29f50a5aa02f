/**
 * TaskEventConsumer: applies the cluster's "ECS Task State Change" events, read from an SQS queue
 * fed by EventBridge, to the ECS task informer, so task changes are seen in about a second instead
 * of at the next full relist.
 *
 * Invariants:
 * - Loop: `ReceiveMessage` (long polling, 20 s, up to 10 messages); apply every event of the batch;
 *   then delete, in one batch call, the messages that were applied or are useless (malformed,
 *   other clusters, other event types). A message whose application failed is not deleted: SQS
 *   redelivers it.
 * - An event is applied only if its `detail.clusterArn` is exactly our cluster's ARN (the lister's
 *   ClusterIdentity): another account's or region's cluster of the same name is ignored
 *   (`ecs_task_events_ignored_total{reason}`) and deleted without effect. Before the ARN is known
 *   (no task listed yet), an event of our cluster's name triggers a relist instead.
 * - Delivery is at least once and unordered: `detail.version` orders events, so duplicates and
 *   stale events never move the cache backwards (the informer enforces it).
 * - Events carry no tags: a task's item comes from the lister's cached description of the task,
 *   else from its task definition's tags (cached, or with `describeTaskDefinitions` described
 *   once per task definition, when a receive batch brings at most one new definition) when
 *   `definitionTagsSuffice` accepts them (ECS propagated them to the task), else from one batched
 *   `DescribeTasks` for the whole receive batch. The lister projects each into the informer's item type.
 *   An item made from task-definition tags is provisional: the next full list describes the task,
 *   since RunTask can give a task tags of its own (another service name, no mesh tag). With
 *   `itemsFromEvents` (items that hold no tags) the event alone makes the item: no ECS call.
 * - With `services`, service events ("ECS Deployment State Change", "ECS Service Action") of our
 *   cluster have their services described (one batch per receive) and applied to the service
 *   cache: a new service is known at once, not at the next (hourly) service relist. If that fails,
 *   their messages are kept for redelivery. Without it they are ignored as other detail types.
 * - It runs as a manager runnable, so it starts before the informers' first list, and nothing
 *   that happens in between is missed. Errors back off on the clock; it never stops by itself.
 * - With `leaderOnly` (leader election on), it runs only while leading, and starts only after its
 *   group relisted its caches (ControllerGroup's refresh on each gain): SQS gives each message to
 *   one receiver, so events the previous leader took were never applied here.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

import { type Informer } from '../cache/informer.js';
import { type Logger } from '../log/logger.js';
import { type ApiCallObserver } from '../metrics/api-metrics.js';
import { type Runnable } from '../manager/runnable.js';
import { backoffDelay } from '../time/backoff.js';
import { type Clock, type Random, sleep } from '../time/clock.js';
import { type EcsTaskFacts, type ListedTask } from './ecs-task-facts.js';
import { type EcsTaskLister } from './ecs-task-lister.js';
import { type EcsTags } from './ecs-tags.js';
import { observedCall } from './observed-call.js';
import { type TaskDefinitionCache } from './task-definition-cache.js';
import {
  type TaskEventIgnoredReason,
  type TaskEventMetrics,
  type TaskEventResult,
} from './task-event-metrics.js';
import { parseTaskStateEvent, type TaskStateEvent } from './task-state-event.js';
import { type ServiceRefresh } from './ecs-service-refresher.js';
import { parseServiceEvent, SERVICE_EVENT_TYPES, type ServiceEvent } from './service-event.js';

/** At most this many new task definitions of one receive batch are described (see identify). */
const NEW_DEFINITIONS_DESCRIBED = 1;

export interface TaskEventConsumerOptions<T extends ListedTask> {
  /** Default `ecs-task-events`. */
  readonly name?: string;
  /** The manager's controller group (the cluster), for `leaderOnly`. */
  readonly group?: string;
  /**
   * Consume only while the group's leadership is held. The group relists its caches before each
   * (re)start, since events consumed elsewhere meanwhile (by the previous leader) were never seen here.
   */
  readonly leaderOnly?: boolean;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly cluster: string;
  readonly tasks: Informer<T>;
  readonly lister: EcsTaskLister<T>;
  /** Needed with `definitionTagsSuffice`; omitted, no task definition is known. */
  readonly taskDefinitions?: TaskDefinitionCache;
  /**
   * The items need no tags (the lister's projection reads only the ARN, task definition, version
   * and group an event carries): a running task's item is made from its event alone, with no
   * DescribeTasks and no task definition, and remembered as described.
   */
  readonly itemsFromEvents?: boolean;
  /**
   * True when a task definition's cached tags are all that is needed of a task started from it
   * (its tags were propagated from them), so its item is made without a DescribeTasks. Omitted,
   * every task not described before is described.
   */
  readonly definitionTagsSuffice?: (tags: EcsTags) => boolean;
  /**
   * Describe a task definition not cached yet (DescribeTaskDefinition, once per ARN, through the
   * cache) instead of only peeking: new tasks of a known service then cost no DescribeTasks. Needs
   * `ecs:DescribeTaskDefinition`; a failed lookup falls back to DescribeTasks and is not cached.
   */
  readonly describeTaskDefinitions?: boolean;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly observer: ApiCallObserver;
  readonly metrics: TaskEventMetrics;
  /** Describes the services that service events name (see the header); omitted, they are ignored. */
  readonly services?: ServiceRefresh;
  /** Long-polling wait per receive, in seconds (SQS allows 0–20). */
  readonly waitSeconds?: number;
}

export class TaskEventConsumer<T extends ListedTask> implements Runnable {
  readonly name: string;
  readonly group?: string;
  readonly leaderOnly: boolean;
  private abort = new AbortController();
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly options: TaskEventConsumerOptions<T>) {
    this.name = options.name ?? 'ecs-task-events';
    this.group = options.group;
    this.leaderOnly = options.leaderOnly ?? false;
  }

  start(): void {
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('event consumer stopped'));
    await this.loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { clock, random, logger } = this.options;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const messages = await this.receive(signal);
        await this.applyBatch(messages, signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        const delay = backoffDelay(failures, { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 1 }, random);
        logger.warn('ECS task events: receive or apply failed; retrying', {
          error,
          attempt: failures,
          retryInMs: Math.round(delay),
        });
        await sleep(clock, delay, signal).catch(() => undefined);
      }
    }
  }

  private async receive(signal: AbortSignal): Promise<Message[]> {
    const { sqs, queueUrl, waitSeconds = 20 } = this.options;
    const result = await this.call('ReceiveMessage', () =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitSeconds,
        }),
        { abortSignal: signal },
      ),
    );
    return result.Messages ?? [];
  }

  private async applyBatch(messages: readonly Message[], signal: AbortSignal): Promise<void> {
    const { metrics, logger } = this.options;
    const done: Message[] = [];
    const events: Array<{ message: Message; event: TaskStateEvent }> = [];
    const serviceEvents: Array<{ message: Message; event: ServiceEvent }> = [];
    for (const message of messages) {
      const parsed = parseTaskStateEvent(message.Body);
      if (parsed.kind === 'malformed') {
        metrics.events.inc({ result: 'malformed' });
        logger.warn('ECS task events: dropping a malformed message', {
          reason: parsed.reason,
          messageId: message.MessageId,
        });
        done.push(message);
      } else if (parsed.kind === 'other') {
        if (this.options.services && SERVICE_EVENT_TYPES.includes(parsed.detailType)) {
          const service = parseServiceEvent(parsed.envelope);
          if (service.kind === 'event') serviceEvents.push({ message, event: service.event });
          else {
            metrics.serviceEvents.inc({ result: 'malformed' });
            logger.warn('ECS service events: dropping a malformed message', {
              reason: service.reason,
              messageId: message.MessageId,
            });
            done.push(message);
          }
        } else {
          this.ignore('other_detail_type');
          done.push(message);
        }
      } else events.push({ message, event: parsed.event });
    }
    await this.learnClusterArn(
      events.map(({ event }) => event),
      signal,
    );
    const running: Array<{ message: Message; event: TaskStateEvent }> = [];
    for (const { message, event } of events) {
      const match = this.options.lister.identity.judge(event.clusterArn);
      if (match !== 'match') {
        this.ignore(match === 'unverified' ? 'cluster_unverified' : match);
        done.push(message);
      } else if (event.desiredStatus !== 'RUNNING') {
        const removed = this.options.tasks.remove(event.taskArn, String(event.version));
        if (removed) this.options.lister.forget(event.taskArn);
        this.record(removed, event);
        done.push(message);
      } else {
        running.push({ message, event });
      }
    }
    const identities = await this.identify(
      running.map(({ event }) => event),
      signal,
    );
    for (const { message, event } of running) {
      const known = identities.get(event.taskArn);
      if (known) {
        const task = { ...known, version: event.version };
        const applied = this.options.tasks.upsert(task);
        // The next full list must return this version, not the one first described.
        if (applied) this.options.lister.remember(task);
        this.record(applied, event);
      }
      // Described as MISSING: it stopped in between; its stop event will (or did) remove it.
      else this.options.metrics.events.inc({ result: 'stale' });
      done.push(message);
    }
    done.push(...(await this.applyServiceEvents(serviceEvents, signal)));
    await this.deleteAll(done, signal);
  }

  /** Describes our cluster's services named by `events`; returns the messages that are done. */
  private async applyServiceEvents(
    events: ReadonlyArray<{ message: Message; event: ServiceEvent }>,
    signal: AbortSignal,
  ): Promise<Message[]> {
    const { services, lister, metrics, logger } = this.options;
    if (services === undefined || events.length === 0) return [];
    const done: Message[] = [];
    const ours: Array<{ message: Message; event: ServiceEvent }> = [];
    for (const entry of events) {
      // Describing is safe before our cluster's ARN is known: the describe asks ECS about our
      // cluster, and only its answer reaches the cache (a foreign ARN comes back MISSING or ours).
      const match = lister.identity.judge(entry.event.clusterArn);
      if (match === 'match' || match === 'unverified') ours.push(entry);
      else {
        metrics.serviceEvents.inc({ result: 'ignored' });
        metrics.ignored.inc({ reason: match });
        done.push(entry.message);
      }
    }
    if (ours.length === 0) return done;
    try {
      await services.refresh(
        ours.map(({ event }) => event.serviceArn),
        signal,
      );
    } catch (error) {
      if (signal.aborted) throw error;
      metrics.serviceEvents.inc({ result: 'failed' }, ours.length);
      logger.warn('ECS service events: describing their services failed; SQS will redeliver them', {
        error,
        services: ours.length,
      });
      return done;
    }
    metrics.serviceEvents.inc({ result: 'applied' }, ours.length);
    return [...done, ...ours.map(({ message }) => message)];
  }

  /** Items for the tasks of running events: cache, then task definition, then DescribeTasks. */
  private async identify(events: readonly TaskStateEvent[], signal: AbortSignal): Promise<Map<string, T>> {
    const { lister, taskDefinitions, definitionTagsSuffice, describeTaskDefinitions } = this.options;
    const found = new Map<string, T>();
    const pending = events.filter((event) => {
      const cached = lister.known(event.taskArn);
      if (cached) found.set(event.taskArn, cached);
      return !cached;
    });
    if (this.options.itemsFromEvents === true) {
      for (const event of pending) {
        const task = lister.project({ ...factsOf(event), tags: [] });
        lister.remember(task);
        found.set(event.taskArn, task);
      }
      return found;
    }
    // One new task definition in a batch (a service's next task) is worth describing: it is cached
    // for the service's later tasks. Several at once (a burst of new services) cost one
    // DescribeTasks for the batch instead of one DescribeTaskDefinition each, all queued behind the
    // read limiter while the new tasks wait for their tokens.
    const newDefinitions = new Set(
      pending.map((event) => event.taskDefinitionArn).filter((arn) => !taskDefinitions?.has(arn)),
    );
    const describe = describeTaskDefinitions === true && newDefinitions.size <= NEW_DEFINITIONS_DESCRIBED;
    const definitions = await Promise.all(
      pending.map((event) =>
        definitionTagsSuffice && taskDefinitions
          ? (describe
              ? taskDefinitions.get(event.taskDefinitionArn, signal)
              : taskDefinitions.peek(event.taskDefinitionArn)
            ).catch(() => undefined)
          : undefined,
      ),
    );
    const toDescribe: string[] = [];
    for (const [i, event] of pending.entries()) {
      const definition = definitions[i];
      if (definition && definitionTagsSuffice?.(definition.tags)) {
        const task = lister.project({ ...factsOf(event), tags: definition.tags });
        // Provisional: the task may carry tags of its own; the next full list describes it.
        lister.rememberProvisionally(task);
        found.set(event.taskArn, task);
      } else {
        toDescribe.push(event.taskArn);
      }
    }
    for (const task of await lister.describeTasks([...new Set(toDescribe)], signal))
      found.set(task.taskArn, task);
    return found;
  }

  /**
   * While our cluster's ARN is unknown (no task listed yet), asks ECS about the tasks of events
   * that name a cluster of our name, in our cluster: a task ECS describes there teaches the lister
   * the ARN. An answer that is an error teaches nothing; those events are then ignored.
   */
  private async learnClusterArn(events: readonly TaskStateEvent[], signal: AbortSignal): Promise<void> {
    const { lister } = this.options;
    const arns = events
      .filter((event) => lister.identity.judge(event.clusterArn) === 'unverified')
      .map((event) => event.taskArn);
    if (arns.length === 0) return;
    await lister.describeTasks([...new Set(arns)], signal).catch(() => undefined);
  }

  private ignore(reason: TaskEventIgnoredReason): void {
    this.options.metrics.events.inc({ result: 'ignored' });
    this.options.metrics.ignored.inc({ reason });
  }

  private record(applied: boolean, event: TaskStateEvent): void {
    const result: TaskEventResult = applied ? 'applied' : 'stale';
    this.options.metrics.events.inc({ result });
    if (applied && event.at !== undefined) {
      this.options.metrics.lag.observe(Math.max(0, this.options.clock.now() - event.at) / 1000);
    }
  }

  /**
   * Deletes the messages in one DeleteMessageBatch call (a receive returns at most 10, the batch
   * limit). An entry that fails is only logged: SQS redelivers it, and applying an event twice is
   * harmless.
   */
  private async deleteAll(messages: readonly Message[], signal: AbortSignal): Promise<void> {
    const entries = messages
      .filter((message) => message.ReceiptHandle !== undefined)
      .map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle }));
    if (entries.length === 0) return;
    const result = await this.call('DeleteMessageBatch', () =>
      this.options.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }),
        {
          abortSignal: signal,
        },
      ),
    );
    for (const failed of result.Failed ?? []) {
      this.options.logger.warn('ECS task events: a message could not be deleted; SQS will redeliver it', {
        code: failed.Code,
        reason: failed.Message,
      });
    }
  }

  private call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return observedCall(this.options.observer, this.options.clock, 'sqs', operation, call);
  }
}

/** What a task-state event tells of its task's facts: all but the tags. */
function factsOf(event: TaskStateEvent): Omit<EcsTaskFacts, 'tags'> {
  const { taskArn, taskDefinitionArn, version, group } = event;
  return { taskArn, taskDefinitionArn, version, ...(group !== undefined ? { group } : {}) };
}
