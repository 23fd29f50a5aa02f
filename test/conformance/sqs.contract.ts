// SQS contract: the behaviour of Amazon SQS standard queues the event-driven task updates rely on
// (EventBridge → SQS → ReceiveMessage/DeleteMessage), as cases that run unchanged against every
// SQS backend.
// Invariants:
// - every case uses its own uniquely named queue, so cases are order-independent;
// - expectations are AWS's documented behaviour (at-least-once, visibility timeout, long polling
//   up to 20 s, at most 10 messages per receive, MD5 of the body); backend gaps live in
//   departures.ts;
// - third-party backends run on real time, so visibility and long-poll cases use 1–3 s waits and
//   assert lower bounds on elapsed time only where AWS guarantees them;
// - error expectations name the AWS error code only, never the HTTP status.
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';

import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import type { BackendInstance } from './harness/backend.js';
import { uniqueName, type Contract, type ContractCase } from './harness/contract.js';
import { expectAwsError } from './harness/expect-error.js';

export interface SqsContext {
  sqs: SQSClient;
}

function makeContext(instance: BackendInstance): SqsContext {
  return {
    sqs: new SQSClient({
      region: 'us-east-1',
      endpoint: instance.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    }),
  };
}

async function queue(ctx: SqsContext, attributes?: Record<string, string>): Promise<string> {
  const out = await ctx.sqs.send(
    new CreateQueueCommand({ QueueName: uniqueName('q'), ...(attributes ? { Attributes: attributes } : {}) }),
  );
  expect(out.QueueUrl ?? '').to.not.equal('');
  return out.QueueUrl ?? '';
}

async function receive(
  ctx: SqsContext,
  QueueUrl: string,
  extra: { MaxNumberOfMessages?: number; VisibilityTimeout?: number; WaitTimeSeconds?: number } = {},
): Promise<Message[]> {
  const out = await ctx.sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['All'], ...extra }),
  );
  return out.Messages ?? [];
}

const send = (ctx: SqsContext, QueueUrl: string, MessageBody: string) =>
  ctx.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody }));

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

const cases: ContractCase<SqsContext>[] = [
  {
    name: 'CreateQueue returns a URL ending /<account>/<name> and GetQueueUrl returns the same URL',
    async run(ctx) {
      const name = uniqueName('q');
      const created = await ctx.sqs.send(new CreateQueueCommand({ QueueName: name }));
      expect(created.QueueUrl).to.match(new RegExp(`/\\d{12}/${name}$`));
      const found = await ctx.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      expect(found.QueueUrl).to.equal(created.QueueUrl);
    },
  },
  {
    name: 'CreateQueue with the same name and attributes returns the existing queue',
    async run(ctx) {
      const name = uniqueName('q');
      const Attributes = { VisibilityTimeout: '45' };
      const first = await ctx.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }));
      const second = await ctx.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }));
      expect(second.QueueUrl).to.equal(first.QueueUrl);
    },
  },
  {
    name: 'CreateQueue with the same name and a different attribute gives QueueNameExists',
    async run(ctx) {
      const name = uniqueName('q');
      await ctx.sqs.send(
        new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45' } }),
      );
      await expectAwsError(
        ctx.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '46' } })),
        'QueueNameExists',
      );
    },
  },
  {
    name: 'GetQueueUrl of a missing queue gives QueueDoesNotExist',
    async run(ctx) {
      await expectAwsError(
        ctx.sqs.send(new GetQueueUrlCommand({ QueueName: uniqueName('missing') })),
        'QueueDoesNotExist',
      );
    },
  },
  {
    name: 'SendMessage answers the MD5 of the body; ReceiveMessage returns the body unchanged',
    async run(ctx) {
      const url = await queue(ctx);
      const body = JSON.stringify({
        version: '0',
        'detail-type': 'ECS Task State Change',
        detail: { lastStatus: 'RUNNING', note: 'ünïcödé ✓', version: 3 },
      });
      const sent = await send(ctx, url, body);
      expect(sent.MD5OfMessageBody).to.equal(md5(body));
      const [message] = await receive(ctx, url, { WaitTimeSeconds: 1 });
      expect(message?.Body).to.equal(body);
      expect(message?.MessageId).to.equal(sent.MessageId);
      expect(message?.MD5OfBody).to.equal(md5(body));
      expect(message?.ReceiptHandle ?? '').to.not.equal('');
      expect(message?.Attributes?.ApproximateReceiveCount).to.equal('1');
    },
  },
  {
    name: 'ReceiveMessage returns at most MaxNumberOfMessages',
    async run(ctx) {
      const url = await queue(ctx);
      for (let i = 0; i < 3; i += 1) await send(ctx, url, `m${i}`);
      const messages = await receive(ctx, url, { MaxNumberOfMessages: 2, WaitTimeSeconds: 1 });
      expect(messages.length).to.be.within(1, 2);
    },
  },
  {
    name: 'ReceiveMessage with MaxNumberOfMessages 11 gives InvalidParameterValue',
    async run(ctx) {
      const url = await queue(ctx);
      await expectAwsError(receive(ctx, url, { MaxNumberOfMessages: 11 }), 'InvalidParameterValue');
    },
  },
  {
    name: 'ReceiveMessage with WaitTimeSeconds 21 gives InvalidParameterValue',
    // A backend that accepts 21 waits 21 s before answering (CONFORMANCE_CHECK_DEPARTURES=1).
    timeoutMs: 30_000,
    async run(ctx) {
      const url = await queue(ctx);
      await expectAwsError(receive(ctx, url, { WaitTimeSeconds: 21 }), 'InvalidParameterValue');
    },
  },
  {
    name: 'CreateQueue with VisibilityTimeout above 43200 gives InvalidAttributeValue',
    async run(ctx) {
      await expectAwsError(
        ctx.sqs.send(
          new CreateQueueCommand({ QueueName: uniqueName('q'), Attributes: { VisibilityTimeout: '43201' } }),
        ),
        'InvalidAttributeValue',
      );
    },
  },
  {
    name: 'CreateQueue with a space in the name gives InvalidParameterValue',
    async run(ctx) {
      await expectAwsError(
        ctx.sqs.send(new CreateQueueCommand({ QueueName: `${uniqueName('q')} x` })),
        'InvalidParameterValue',
      );
    },
  },
  {
    name: 'a received message is hidden for its visibility timeout, then delivered again with a higher receive count',
    timeoutMs: 30_000,
    async run(ctx) {
      const url = await queue(ctx);
      await send(ctx, url, 'again');
      const [first] = await receive(ctx, url, { VisibilityTimeout: 2, WaitTimeSeconds: 1 });
      expect(first?.Body).to.equal('again');
      expect(await receive(ctx, url)).to.have.length(0);
      const started = performance.now();
      let second: Message | undefined;
      while (!second && performance.now() - started < 10_000) {
        [second] = await receive(ctx, url, { WaitTimeSeconds: 1 });
      }
      expect(second?.Body).to.equal('again');
      expect(second?.Attributes?.ApproximateReceiveCount).to.equal('2');
      expect(second?.ReceiptHandle).to.not.equal(first?.ReceiptHandle);
    },
  },
  {
    name: 'DeleteMessage with the receipt handle removes the message for good',
    timeoutMs: 30_000,
    async run(ctx) {
      const url = await queue(ctx);
      await send(ctx, url, 'once');
      const [message] = await receive(ctx, url, { VisibilityTimeout: 1, WaitTimeSeconds: 1 });
      await ctx.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message?.ReceiptHandle }));
      expect(await receive(ctx, url, { WaitTimeSeconds: 2 })).to.have.length(0);
    },
  },
  {
    name: 'DeleteMessage with a malformed receipt handle gives ReceiptHandleIsInvalid',
    async run(ctx) {
      const url = await queue(ctx);
      await expectAwsError(
        ctx.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-receipt-handle' })),
        'ReceiptHandleIsInvalid',
      );
    },
  },
  {
    name: 'ChangeMessageVisibility of a message that is not in flight gives MessageNotInflight',
    async run(ctx) {
      const url = await queue(ctx);
      await send(ctx, url, 'visible');
      const [message] = await receive(ctx, url, { VisibilityTimeout: 0, WaitTimeSeconds: 1 });
      await expectAwsError(
        ctx.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: url,
            ReceiptHandle: message?.ReceiptHandle,
            VisibilityTimeout: 30,
          }),
        ),
        'MessageNotInflight',
      );
    },
  },
  {
    name: 'DeleteMessage with an older receipt handle succeeds but does not delete the message',
    async run(ctx) {
      const url = await queue(ctx);
      await send(ctx, url, 'twice');
      const [first] = await receive(ctx, url, { VisibilityTimeout: 0, WaitTimeSeconds: 1 });
      const [second] = await receive(ctx, url, { VisibilityTimeout: 0, WaitTimeSeconds: 1 });
      expect(second?.ReceiptHandle).to.not.equal(first?.ReceiptHandle);
      await ctx.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first?.ReceiptHandle }));
      const [third] = await receive(ctx, url, { WaitTimeSeconds: 1 });
      expect(third?.Body).to.equal('twice');
    },
  },
  {
    name: 'ChangeMessageVisibility to 0 makes the message receivable again at once',
    async run(ctx) {
      const url = await queue(ctx);
      await send(ctx, url, 'nack');
      const [message] = await receive(ctx, url, { VisibilityTimeout: 60, WaitTimeSeconds: 1 });
      await ctx.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
      const [again] = await receive(ctx, url, { WaitTimeSeconds: 1 });
      expect(again?.Body).to.equal('nack');
    },
  },
  {
    name: 'a long poll returns as soon as a message arrives, before WaitTimeSeconds',
    timeoutMs: 30_000,
    async run(ctx) {
      const url = await queue(ctx);
      const started = performance.now();
      const polling = receive(ctx, url, { WaitTimeSeconds: 10 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await send(ctx, url, 'wake');
      const messages = await polling;
      expect(messages.map((m) => m.Body)).to.deep.equal(['wake']);
      expect(performance.now() - started).to.be.below(9_000);
    },
  },
  {
    name: 'a long poll on an empty queue waits WaitTimeSeconds and returns no messages',
    timeoutMs: 30_000,
    async run(ctx) {
      const url = await queue(ctx);
      const started = performance.now();
      const messages = await receive(ctx, url, { WaitTimeSeconds: 2 });
      expect(messages).to.have.length(0);
      expect(performance.now() - started).to.be.at.least(1_900);
    },
  },
  {
    name: 'GetQueueAttributes reports VisibilityTimeout and ApproximateNumberOfMessages',
    async run(ctx) {
      const url = await queue(ctx, { VisibilityTimeout: '45' });
      await send(ctx, url, 'a');
      await send(ctx, url, 'b');
      const out = await ctx.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['VisibilityTimeout', 'ApproximateNumberOfMessages'],
        }),
      );
      expect(out.Attributes).to.deep.equal({ VisibilityTimeout: '45', ApproximateNumberOfMessages: '2' });
    },
  },
];

export const sqsContract: Contract<SqsContext> = {
  service: 'sqs',
  makeContext,
  cases,
};
