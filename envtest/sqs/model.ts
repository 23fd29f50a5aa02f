/**
 * SqsModel: the records the SQS emulator keeps, in the vocabulary of the SQS API.
 *
 * Invariants:
 * - A queue's `seq` and a message's `seq` increase with creation; receives hand out the oldest
 *   visible messages first (best-effort order, as a standard queue).
 * - A message is visible when `visibleAt <= now`; receiving it moves `visibleAt` forward by the
 *   visibility timeout, so an undeleted message is delivered again (at-least-once).
 * - `receiptHandle` is the handle of the latest receive; only that handle can change the
 *   message's visibility.
 */
export interface QueueAttributes {
  /** Seconds, 0–43200 (default 30). */
  visibilityTimeout: number;
  /** Seconds, 60–1209600 (default 345600, 4 days). */
  messageRetentionPeriod: number;
  /** Seconds, 0–900 (default 0). */
  delaySeconds: number;
  /** Seconds, 0–20 (default 0): the long-poll wait when ReceiveMessage names none. */
  receiveMessageWaitTimeSeconds: number;
}

export const DEFAULT_QUEUE_ATTRIBUTES: Readonly<QueueAttributes> = {
  visibilityTimeout: 30,
  messageRetentionPeriod: 345_600,
  delaySeconds: 0,
  receiveMessageWaitTimeSeconds: 0,
};

export interface Queue {
  readonly seq: number;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly attributes: QueueAttributes;
  readonly createdAt: number;
  lastModifiedAt: number;
  /** Messages not yet deleted (nor expired), oldest first. */
  readonly messages: Message[];
}

export interface Message {
  readonly seq: number;
  readonly id: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Handle of the latest receive. */
  receiptHandle?: string;
}
