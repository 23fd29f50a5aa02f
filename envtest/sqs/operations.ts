/**
 * SqsOperations: the SQS API operations the emulator answers, over the JSON 1.0 protocol the
 * @aws-sdk/client-sqs v3 client speaks (`X-Amz-Target: AmazonSQS.<Operation>`).
 *
 * Invariants:
 * - Inputs are validated with AWS's limits before any state changes: MaxNumberOfMessages 1–10,
 *   WaitTimeSeconds 0–20, VisibilityTimeout 0–43200, DelaySeconds 0–900, queue names of 1–80
 *   alphanumerics, hyphens and underscores, bodies of 1–262,144 bytes.
 * - Every count and timestamp attribute is a string, as the SQS API sends them.
 * - MD5OfMessageBody / MD5OfBody are the hex MD5 of the UTF-8 body (the SDK checks them).
 * - Message attributes are accepted and ignored (no MD5OfMessageAttributes is returned).
 */
import { type OperationHandler } from '../aws/json-protocol.js';
import { InputReader, type JsonObject } from '../aws/input.js';
import {
  invalidAttributeName,
  invalidAttributeValue,
  invalidParameterValue,
  missingParameter,
  receiptHandleIsInvalid,
} from './errors.js';
import { type Queue, type QueueAttributes } from './model.js';
import { attributeKeyOf, type ReceivedMessage, type SqsState } from './state.js';

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_BODY_BYTES = 262_144;

const ATTRIBUTE_RANGES: Record<keyof QueueAttributes, readonly [number, number]> = {
  visibilityTimeout: [0, 43_200],
  messageRetentionPeriod: [60, 1_209_600],
  delaySeconds: [0, 900],
  receiveMessageWaitTimeSeconds: [0, 20],
};

function reader(input: JsonObject): InputReader {
  return new InputReader(input, 'InvalidParameterValue');
}

function required(input: InputReader, field: string): string {
  const value = input.string(field);
  if (value === undefined || value === '') throw missingParameter(field);
  return value;
}

function inRange(field: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameterValue(
      `Value ${value} for parameter ${field} is invalid. Reason: Must be between ${min} and ${max}, if provided.`,
    );
  }
  return value;
}

function parseAttributes(raw: JsonObject | undefined): Partial<QueueAttributes> {
  const parsed: Partial<QueueAttributes> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const key = attributeKeyOf(name);
    if (key === undefined) {
      // Accepted and not modelled (Policy, RedrivePolicy, KMS…), as long as it is a string.
      if (typeof value !== 'string') throw invalidAttributeValue(`Invalid value for the parameter ${name}.`);
      continue;
    }
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
    const [min, max] = ATTRIBUTE_RANGES[key];
    if (!(number >= min && number <= max)) {
      throw invalidAttributeValue(`Invalid value for the parameter ${name}.`);
    }
    parsed[key] = number;
  }
  return parsed;
}

function checkBody(body: string): void {
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    throw invalidParameterValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_BODY_BYTES} bytes.`,
    );
  }
}

const SYSTEM_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SentTimestamp',
  'SenderId',
];

function messageAttributes(
  received: ReceivedMessage,
  names: readonly string[],
  accountId: string,
): Record<string, string> | undefined {
  const wanted = names.includes('All') ? SYSTEM_ATTRIBUTES : names;
  const { message } = received;
  const values: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    SentTimestamp: String(message.sentAt),
    SenderId: accountId,
  };
  const out: Record<string, string> = {};
  for (const name of wanted) if (values[name] !== undefined) out[name] = values[name];
  return Object.keys(out).length > 0 ? out : undefined;
}

export function sqsOperations(state: SqsState, accountId: string): Record<string, OperationHandler> {
  const queueOf = (input: InputReader): Queue => state.requireQueue(required(input, 'QueueUrl'));

  return {
    CreateQueue: (raw) => {
      const input = reader(raw);
      const name = required(input, 'QueueName');
      if (!QUEUE_NAME.test(name)) {
        throw invalidParameterValue(
          'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
        );
      }
      const queue = state.createQueue(name, parseAttributes(input.object('Attributes')));
      return { QueueUrl: queue.url };
    },
    GetQueueUrl: (raw) => {
      const name = required(reader(raw), 'QueueName');
      return { QueueUrl: state.requireQueue(name).url };
    },
    ListQueues: (raw) => {
      const queues = state.listQueues(reader(raw).string('QueueNamePrefix') ?? '');
      return queues.length > 0 ? { QueueUrls: queues.map((q) => q.url) } : {};
    },
    DeleteQueue: (raw) => {
      state.deleteQueue(queueOf(reader(raw)));
      return {};
    },
    PurgeQueue: (raw) => {
      state.purge(queueOf(reader(raw)));
      return {};
    },
    GetQueueAttributes: (raw) => {
      const input = reader(raw);
      const queue = queueOf(input);
      const names = input.strings('AttributeNames') ?? [];
      const counts = state.counts(queue);
      const all: Record<string, string> = {
        QueueArn: queue.arn,
        ApproximateNumberOfMessages: String(counts.visible),
        ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
        ApproximateNumberOfMessagesDelayed: String(counts.delayed),
        CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
        LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
        VisibilityTimeout: String(queue.attributes.visibilityTimeout),
        MessageRetentionPeriod: String(queue.attributes.messageRetentionPeriod),
        DelaySeconds: String(queue.attributes.delaySeconds),
        ReceiveMessageWaitTimeSeconds: String(queue.attributes.receiveMessageWaitTimeSeconds),
      };
      const attributes: Record<string, string> = {};
      for (const name of names) {
        if (name === 'All') Object.assign(attributes, all);
        else if (all[name] !== undefined) attributes[name] = all[name];
        else throw invalidAttributeName(name);
      }
      return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
    },
    SendMessage: (raw) => {
      const input = reader(raw);
      const queue = queueOf(input);
      const body = required(input, 'MessageBody');
      checkBody(body);
      const delay = inRange('DelaySeconds', input.number('DelaySeconds'), 0, 900);
      const message = state.sendMessage(queue, body, delay);
      return { MessageId: message.id, MD5OfMessageBody: message.md5OfBody };
    },
    SendMessageBatch: (raw) => {
      const input = reader(raw);
      const queue = queueOf(input);
      const entries = input.objects('Entries') ?? [];
      if (entries.length === 0) throw missingParameter('Entries');
      const successful: JsonObject[] = [];
      for (const entry of entries) {
        const item = reader(entry);
        const body = required(item, 'MessageBody');
        checkBody(body);
        const delay = inRange('DelaySeconds', item.number('DelaySeconds'), 0, 900);
        const message = state.sendMessage(queue, body, delay);
        successful.push({
          Id: required(item, 'Id'),
          MessageId: message.id,
          MD5OfMessageBody: message.md5OfBody,
        });
      }
      return { Successful: successful, Failed: [] };
    },
    ReceiveMessage: async (raw) => {
      const input = reader(raw);
      const queue = queueOf(input);
      const maxMessages = inRange('MaxNumberOfMessages', input.number('MaxNumberOfMessages'), 1, 10) ?? 1;
      const waitSeconds =
        inRange('WaitTimeSeconds', input.number('WaitTimeSeconds'), 0, 20) ??
        queue.attributes.receiveMessageWaitTimeSeconds;
      const visibilityTimeout = inRange('VisibilityTimeout', input.number('VisibilityTimeout'), 0, 43_200);
      const names = [
        ...(input.strings('AttributeNames') ?? []),
        ...(input.strings('MessageSystemAttributeNames') ?? []),
      ];
      const received = await state.receive(queue, {
        maxMessages,
        waitMs: waitSeconds * 1000,
        ...(visibilityTimeout !== undefined ? { visibilityTimeout } : {}),
      });
      if (received.length === 0) return {};
      return {
        Messages: received.map((item) => {
          const attributes = messageAttributes(item, names, accountId);
          return {
            MessageId: item.message.id,
            ReceiptHandle: item.receiptHandle,
            MD5OfBody: item.message.md5OfBody,
            Body: item.message.body,
            ...(attributes ? { Attributes: attributes } : {}),
          };
        }),
      };
    },
    DeleteMessage: (raw) => {
      const input = reader(raw);
      const queue = queueOf(input);
      state.deleteMessage(queue, required(input, 'ReceiptHandle'));
      return {};
    },
    DeleteMessageBatch: (raw) => {
      const input = reader(raw);
      const queue = queueOf(input);
      const entries = input.objects('Entries') ?? [];
      if (entries.length === 0) throw missingParameter('Entries');
      const successful: JsonObject[] = [];
      const failed: JsonObject[] = [];
      for (const entry of entries) {
        const item = reader(entry);
        const id = required(item, 'Id');
        const handle = required(item, 'ReceiptHandle');
        try {
          state.deleteMessage(queue, handle);
          successful.push({ Id: id });
        } catch {
          const error = receiptHandleIsInvalid(handle);
          failed.push({ Id: id, SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: error.message });
        }
      }
      return { Successful: successful, Failed: failed };
    },
    ChangeMessageVisibility: (raw) => {
      const input = reader(raw);
      const queue = queueOf(input);
      const handle = required(input, 'ReceiptHandle');
      const timeout = inRange('VisibilityTimeout', input.number('VisibilityTimeout'), 0, 43_200);
      if (timeout === undefined) throw missingParameter('VisibilityTimeout');
      state.changeVisibility(queue, handle, timeout);
      return {};
    },
  };
}
