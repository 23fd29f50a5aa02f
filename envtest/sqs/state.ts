/**
 * SqsState: the in-memory SQS standard queues behind the emulator.
 *
 * Invariants:
 * - All time comes from the injected Clock and all ids from the injected Random.
 * - A message is delivered only while visible; each receive makes it invisible for the visibility
 *   timeout and gives it a new receipt handle, so an undeleted message comes back (at-least-once).
 * - Only the latest receipt handle deletes a message or changes its visibility; an older handle of a
 *   known message deletes nothing and still succeeds, as the SQS documentation says.
 * - Messages older than the queue's retention period are dropped before any read.
 * - A long poll waits on the clock until a message is visible or its wait ends, whichever is
 *   first; it re-checks on every send, visibility change and due visibility timeout. `dispose()`
 *   ends every wait (with no messages) and cancels every timer.
 */
import { createHash } from 'node:crypto';

import { type Clock, type Random } from '../../src/time/clock.js';
import { randomChars, randomUuid } from '../aws/ids.js';
import { messageNotInflight, queueDoesNotExist, queueNameExists, receiptHandleIsInvalid } from './errors.js';
import { DEFAULT_QUEUE_ATTRIBUTES, type Message, type Queue, type QueueAttributes } from './model.js';

export interface SqsStateOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly region: string;
  readonly accountId: string;
}

export interface ReceiveRequest {
  readonly maxMessages: number;
  readonly waitMs: number;
  /** Seconds; the queue's VisibilityTimeout when absent. */
  readonly visibilityTimeout?: number;
}

export interface ReceivedMessage {
  readonly message: Message;
  readonly receiptHandle: string;
}

interface Waiter {
  readonly queue: Queue;
  readonly wake: () => void;
}

const HANDLE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export class SqsState {
  readonly clock: Clock;
  /** Queue URLs start with this (the server's URL once it listens). */
  baseUrl = 'http://127.0.0.1';
  private readonly random: Random;
  private readonly queues = new Map<string, Queue>();
  /** Every receipt handle ever issued: the queue and message it was issued for. */
  private readonly handles = new Map<string, { queue: string; messageId: string }>();
  private readonly waiters = new Set<Waiter>();
  private nextSeq = 1;
  private disposed = false;

  constructor(private readonly options: SqsStateOptions) {
    this.clock = options.clock;
    this.random = options.random;
  }

  // Queues

  createQueue(name: string, attributes: Partial<QueueAttributes>): Queue {
    const existing = this.queues.get(name);
    if (existing) {
      for (const [key, value] of Object.entries(attributes) as [keyof QueueAttributes, number][]) {
        if (existing.attributes[key] !== value) throw queueNameExists(attributeWireName(key));
      }
      return existing;
    }
    const now = this.clock.now();
    const queue: Queue = {
      seq: this.nextSeq++,
      name,
      url: `${this.baseUrl}/${this.options.accountId}/${name}`,
      arn: `arn:aws:sqs:${this.options.region}:${this.options.accountId}:${name}`,
      attributes: { ...DEFAULT_QUEUE_ATTRIBUTES, ...attributes },
      createdAt: now,
      lastModifiedAt: now,
      messages: [],
    };
    this.queues.set(name, queue);
    return queue;
  }

  deleteQueue(queue: Queue): void {
    this.queues.delete(queue.name);
    this.notify(queue);
  }

  /** Queues whose name starts with `prefix`, oldest first. */
  listQueues(prefix = ''): Queue[] {
    return [...this.queues.values()].filter((q) => q.name.startsWith(prefix)).sort((a, b) => a.seq - b.seq);
  }

  findQueue(name: string): Queue | undefined {
    return this.queues.get(name);
  }

  /** The queue a QueueUrl (any host, path `/<account>/<name>`) or a bare queue name names. */
  requireQueue(urlOrName: string): Queue {
    const segments = urlOrName.split('/').filter((segment) => segment !== '');
    const name = segments[segments.length - 1] ?? '';
    const account = segments[segments.length - 2];
    const queue = this.queues.get(name);
    if (!queue || (segments.length > 1 && account !== this.options.accountId)) throw queueDoesNotExist();
    return queue;
  }

  // Messages

  sendMessage(queue: Queue, body: string, delaySeconds?: number): Message {
    const now = this.clock.now();
    const message: Message = {
      seq: this.nextSeq++,
      id: randomUuid(this.random),
      body,
      md5OfBody: md5Hex(body),
      sentAt: now,
      visibleAt: now + (delaySeconds ?? queue.attributes.delaySeconds) * 1000,
      receiveCount: 0,
    };
    queue.messages.push(message);
    this.notify(queue);
    return message;
  }

  /** Up to `maxMessages` visible messages, waiting up to `waitMs` on the clock for the first. */
  async receive(queue: Queue, request: ReceiveRequest): Promise<ReceivedMessage[]> {
    const deadline = this.clock.now() + request.waitMs;
    for (;;) {
      const taken = this.take(queue, request);
      if (taken.length > 0 || this.disposed || this.clock.now() >= deadline) return taken;
      if (!this.queues.has(queue.name)) throw queueDoesNotExist();
      await this.waitForChange(queue, deadline);
    }
  }

  deleteMessage(queue: Queue, receiptHandle: string): void {
    const issued = this.requireHandle(queue, receiptHandle);
    const index = queue.messages.findIndex(
      (m) => m.id === issued.messageId && m.receiptHandle === receiptHandle,
    );
    if (index >= 0) queue.messages.splice(index, 1);
  }

  changeVisibility(queue: Queue, receiptHandle: string, visibilityTimeout: number): void {
    const issued = this.requireHandle(queue, receiptHandle);
    this.expire(queue);
    const message = queue.messages.find((m) => m.id === issued.messageId);
    const now = this.clock.now();
    if (!message || message.receiptHandle !== receiptHandle || message.visibleAt <= now) {
      throw messageNotInflight();
    }
    message.visibleAt = now + visibilityTimeout * 1000;
    this.notify(queue);
  }

  purge(queue: Queue): void {
    queue.messages.length = 0;
  }

  /** Counts as GetQueueAttributes reports them. */
  counts(queue: Queue): { visible: number; inFlight: number; delayed: number } {
    this.expire(queue);
    const now = this.clock.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of queue.messages) {
      if (message.visibleAt <= now) visible += 1;
      else if (message.receiveCount > 0) inFlight += 1;
      else delayed += 1;
    }
    return { visible, inFlight, delayed };
  }

  /** Number of ReceiveMessage calls waiting for messages. */
  get waiting(): number {
    return this.waiters.size;
  }

  dispose(): void {
    this.disposed = true;
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  private take(queue: Queue, request: ReceiveRequest): ReceivedMessage[] {
    this.expire(queue);
    const now = this.clock.now();
    const timeoutMs = (request.visibilityTimeout ?? queue.attributes.visibilityTimeout) * 1000;
    const taken: ReceivedMessage[] = [];
    for (const message of queue.messages) {
      if (taken.length >= request.maxMessages) break;
      if (message.visibleAt > now) continue;
      const receiptHandle = this.newHandle(queue, message);
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + timeoutMs;
      message.receiptHandle = receiptHandle;
      taken.push({ message, receiptHandle });
    }
    return taken;
  }

  /** Resolves on the next send or visibility change in `queue`, when a hidden message is due, or at `deadline`. */
  private waitForChange(queue: Queue, deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const now = this.clock.now();
      let wakeAt = deadline;
      for (const message of queue.messages)
        if (message.visibleAt > now) wakeAt = Math.min(wakeAt, message.visibleAt);
      const waiter: Waiter = {
        queue,
        wake: () => {
          cancel();
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const cancel = this.clock.setTimer(wakeAt - now, () => waiter.wake());
      this.waiters.add(waiter);
    });
  }

  private notify(queue: Queue): void {
    for (const waiter of [...this.waiters]) if (waiter.queue === queue) waiter.wake();
  }

  private expire(queue: Queue): void {
    const oldest = this.clock.now() - queue.attributes.messageRetentionPeriod * 1000;
    for (let i = queue.messages.length - 1; i >= 0; i -= 1) {
      if ((queue.messages[i]?.sentAt ?? 0) <= oldest) queue.messages.splice(i, 1);
    }
  }

  private newHandle(queue: Queue, message: Message): string {
    const handle = `${message.id}#${randomChars(this.random, HANDLE_ALPHABET, 96)}`;
    this.handles.set(handle, { queue: queue.name, messageId: message.id });
    return handle;
  }

  private requireHandle(queue: Queue, receiptHandle: string): { queue: string; messageId: string } {
    const issued = this.handles.get(receiptHandle);
    if (!issued || issued.queue !== queue.name) throw receiptHandleIsInvalid(receiptHandle);
    return issued;
  }
}

const WIRE_NAMES: Record<keyof QueueAttributes, string> = {
  visibilityTimeout: 'VisibilityTimeout',
  messageRetentionPeriod: 'MessageRetentionPeriod',
  delaySeconds: 'DelaySeconds',
  receiveMessageWaitTimeSeconds: 'ReceiveMessageWaitTimeSeconds',
};

export function attributeWireName(key: keyof QueueAttributes): string {
  return WIRE_NAMES[key];
}

export function attributeKeyOf(wireName: string): keyof QueueAttributes | undefined {
  return (Object.keys(WIRE_NAMES) as (keyof QueueAttributes)[]).find((key) => WIRE_NAMES[key] === wireName);
}
