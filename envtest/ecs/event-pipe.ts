/**
 * TaskEventPipe: publishes an "ECS Task State Change" event for every task change, as an
 * EventBridge rule targeting an SQS queue would (the message body is the whole event JSON).
 *
 * Invariants:
 * - Exactly one event is built per entry of the state's task change log, at the moment of the
 *   change, from the task as it is then; `published` keeps them in change order.
 * - Without faults each event is delivered once, synchronously, in change order.
 * - Faults (`faults`, rules on operation `TaskStateChange` or `*`, by count or fraction):
 *   `duplicate` delivers the same body twice (same id, same detail.version); `delay` delivers it
 *   `latencyMs` later on the clock; `reorder` holds it back and delivers it right after the next
 *   delivered event (or on `flush()`).
 * - A delivery to a queue that does not exist is dropped and counted in `dropped`.
 * - With `serviceEvents`, a service deployment start is delivered too ("ECS Deployment State
 *   Change"), without faults.
 * - `dispose()` cancels delayed deliveries and drops a held-back event.
 */
import { type Clock, type Random } from '../../src/time/clock.js';
import { randomUuid } from '../aws/ids.js';
import { FaultInjector } from '../faults.js';
import { type SqsState } from '../sqs/state.js';
import { type Service, type TaskChange } from './model.js';
import { deploymentInProgressEvent } from './service-events.js';
import { type EcsState } from './state.js';
import { type TaskStateChangeEvent, taskStateChangeEvent } from './task-events.js';

export type EventFaultKind = 'duplicate' | 'reorder' | 'delay';

export const TASK_STATE_CHANGE_OPERATION = 'TaskStateChange';

export interface EcsEventsOptions {
  /** The envtest SQS server's state (`sqsServer.state`) to deliver into, with `queueUrl`. */
  readonly sqs?: SqsState;
  /** The queue's URL (or name) in `sqs`. */
  readonly queueUrl?: string;
  /** Or a function each event body is handed to (instead of `sqs`). */
  readonly publish?: (body: string, event: TaskStateChangeEvent) => void;
  /**
   * Also deliver "ECS Deployment State Change" events (a service created or given a new task
   * definition) to the SQS queue, as a rule that matches them too would (never to `publish`, which
   * takes task events). Off by default: task events only.
   */
  readonly serviceEvents?: boolean;
  /** With `publish` and `serviceEvents`: the function the service events' bodies are handed to. */
  readonly publishService?: (body: string) => void;
}

export interface EventPipeContext {
  readonly clock: Clock;
  readonly random: Random;
  readonly region: string;
  readonly accountId: string;
}

export class TaskEventPipe {
  readonly faults: FaultInjector<EventFaultKind>;
  private readonly events: TaskStateChangeEvent[] = [];
  private readonly timers = new Set<() => void>();
  private readonly unsubscribe: () => void;
  private held: string | undefined;
  private deliveredCount = 0;
  private droppedCount = 0;

  constructor(
    private readonly state: EcsState,
    private readonly options: EcsEventsOptions,
    private readonly context: EventPipeContext,
  ) {
    if (!options.publish && !(options.sqs && options.queueUrl)) {
      throw new Error('ECS events need either publish, or sqs and queueUrl');
    }
    this.faults = new FaultInjector<EventFaultKind>(context.random);
    const unsubscribeTasks = state.onTaskChange((change) => this.onChange(change));
    const unsubscribeServices = options.serviceEvents
      ? state.onServiceDeployment((service, at) => this.onDeployment(service, at))
      : () => undefined;
    this.unsubscribe = () => {
      unsubscribeTasks();
      unsubscribeServices();
    };
  }

  /** Every event built, in change order (before faults). */
  get published(): readonly TaskStateChangeEvent[] {
    return this.events;
  }

  /** Message bodies handed to the queue or the publish function, duplicates included. */
  get delivered(): number {
    return this.deliveredCount;
  }

  /** Deliveries to a missing queue. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Delivers a held-back (reordered) event now. */
  flush(): void {
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) this.deliver(held);
  }

  dispose(): void {
    this.unsubscribe();
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.held = undefined;
  }

  private onChange(change: TaskChange): void {
    const task = this.state.tasks.get(change.taskArn);
    if (!task) return;
    const event = taskStateChangeEvent(task, {
      id: randomUuid(this.context.random),
      account: this.context.accountId,
      region: this.context.region,
      now: change.at,
    });
    this.events.push(event);
    const body = JSON.stringify(event);
    const fault = this.faults.decide(TASK_STATE_CHANGE_OPERATION);
    switch (fault?.kind) {
      case 'duplicate':
        this.deliverInTurn(body);
        this.deliver(body);
        return;
      case 'delay': {
        const cancel = this.context.clock.setTimer(fault.latencyMs, () => {
          this.timers.delete(cancel);
          this.deliverInTurn(body);
        });
        this.timers.add(cancel);
        return;
      }
      case 'reorder':
        this.flush();
        this.held = body;
        return;
      default:
        this.deliverInTurn(body);
    }
  }

  /** Service events are not faulted (chaos targets task events); `published` holds only task events. */
  private onDeployment(service: Service, at: number): void {
    const { publish, publishService } = this.options;
    if (publish && !publishService) return;
    const event = deploymentInProgressEvent(service, {
      id: randomUuid(this.context.random),
      account: this.context.accountId,
      region: this.context.region,
      now: at,
    });
    if (publishService) publishService(JSON.stringify(event));
    else this.deliverInTurn(JSON.stringify(event));
  }

  /** Delivers `body`, then any held-back event (which thereby arrives after it). */
  private deliverInTurn(body: string): void {
    this.deliver(body);
    this.flush();
  }

  private deliver(body: string): void {
    if (this.options.publish) {
      this.deliveredCount += 1;
      this.options.publish(body, JSON.parse(body) as TaskStateChangeEvent);
      return;
    }
    const { sqs, queueUrl } = this.options;
    const queue = sqs && queueUrl !== undefined ? sqs.findQueue(queueNameOf(queueUrl)) : undefined;
    if (!sqs || !queue) {
      this.droppedCount += 1;
      return;
    }
    sqs.sendMessage(queue, body);
    this.deliveredCount += 1;
  }
}

function queueNameOf(urlOrName: string): string {
  return (
    urlOrName
      .split('/')
      .filter((segment) => segment !== '')
      .pop() ?? ''
  );
}
