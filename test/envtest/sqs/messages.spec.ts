import { createHash } from 'node:crypto';

import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { eventually, rejectionOf } from '../expect-error.js';
import { type SqsFixture, startSqsFixture } from './fixture.js';

describe('SQS emulator: messages on the injected clock', () => {
  let clock: ManualClock;
  let fixture: SqsFixture;
  let QueueUrl: string;

  beforeEach(async () => {
    clock = new ManualClock();
    fixture = await startSqsFixture({ clock });
    QueueUrl =
      (
        await fixture.sqs.send(
          new CreateQueueCommand({ QueueName: 'events', Attributes: { VisibilityTimeout: '30' } }),
        )
      ).QueueUrl ?? '';
  });
  afterEach(() => fixture.close());

  const receive = (extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
    fixture.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
        ...extra,
      }),
    );

  it('SendMessage answers the MD5 of the body and ReceiveMessage returns body, MD5 and attributes', async () => {
    const body = JSON.stringify({ detail: { version: 3 }, note: 'héllo ✓' });
    const sent = await fixture.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    expect(sent.MD5OfMessageBody).to.equal(createHash('md5').update(body, 'utf8').digest('hex'));
    const { Messages } = await receive();
    expect(Messages).to.have.length(1);
    const [message] = Messages ?? [];
    expect(message?.Body).to.equal(body);
    expect(message?.MessageId).to.equal(sent.MessageId);
    expect(message?.MD5OfBody).to.equal(sent.MD5OfMessageBody);
    expect(message?.ReceiptHandle ?? '').to.have.length.greaterThan(20);
    expect(message?.Attributes).to.include({
      ApproximateReceiveCount: '1',
      SentTimestamp: String(clock.now()),
    });
  });

  it('hands out at most MaxNumberOfMessages, oldest first, and rejects 0 or 11', async () => {
    for (let i = 0; i < 12; i += 1)
      await fixture.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
    const first = await receive();
    expect(first.Messages?.map((m) => m.Body)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `m${i}`));
    const rest = await receive();
    expect(rest.Messages?.map((m) => m.Body)).to.deep.equal(['m10', 'm11']);
    for (const bad of [0, 11]) {
      const error = await rejectionOf(receive({ MaxNumberOfMessages: bad }));
      expect(error.name).to.equal('InvalidParameterValue');
    }
  });

  it('an undeleted message comes back after the visibility timeout with a higher receive count', async () => {
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
    const first = (await receive()).Messages?.[0];
    expect((await receive()).Messages).to.equal(undefined);
    await clock.advance(29_999);
    expect((await receive()).Messages).to.equal(undefined);
    await clock.advance(1);
    const second = (await receive()).Messages?.[0];
    expect(second?.Body).to.equal('again');
    expect(second?.Attributes?.ApproximateReceiveCount).to.equal('2');
    expect(second?.ReceiptHandle).to.not.equal(first?.ReceiptHandle);
  });

  it('DeleteMessage by the latest receipt handle removes the message for good', async () => {
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'once' }));
    const message = (await receive({ VisibilityTimeout: 5 })).Messages?.[0];
    await fixture.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message?.ReceiptHandle }));
    await clock.advance(60_000);
    expect((await receive()).Messages).to.equal(undefined);
    const error = await rejectionOf(
      fixture.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'not-a-handle' })),
    );
    expect(error.name).to.equal('ReceiptHandleIsInvalid');
  });

  it('an older receipt handle deletes nothing (the documented behaviour)', async () => {
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'stale' }));
    const first = (await receive({ VisibilityTimeout: 1 })).Messages?.[0];
    await clock.advance(1_000);
    const second = (await receive({ VisibilityTimeout: 1 })).Messages?.[0];
    await fixture.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first?.ReceiptHandle }));
    await clock.advance(1_000);
    expect((await receive()).Messages?.[0]?.MessageId).to.equal(second?.MessageId);
  });

  it('ChangeMessageVisibility 0 makes a message visible at once; on a visible message it is MessageNotInflight', async () => {
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'nack' }));
    const message = (await receive()).Messages?.[0];
    await fixture.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    expect((await receive({ VisibilityTimeout: 0 })).Messages?.[0]?.Body).to.equal('nack');
    const latest = (await receive()).Messages?.[0];
    await clock.advance(30_000);
    const error = await rejectionOf(
      fixture.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: latest?.ReceiptHandle,
          VisibilityTimeout: 10,
        }),
      ),
    );
    expect(error.name).to.equal('MessageNotInflight');
  });

  it('a long poll waits on the clock and returns as soon as a message is sent', async () => {
    let result: Awaited<ReturnType<typeof receive>> | undefined;
    const polling = receive({ WaitTimeSeconds: 20 }).then((out) => (result = out));
    await eventually(() => fixture.server.state.waiting === 1);
    await clock.advance(10_000);
    expect(result).to.equal(undefined);
    await fixture.server.state.sendMessage(fixture.server.state.requireQueue('events'), 'late');
    await polling;
    expect(result?.Messages?.[0]?.Body).to.equal('late');
    expect(clock.now() - 1_700_000_000_000).to.equal(10_000);
  });

  it('a long poll with nothing to receive returns empty after WaitTimeSeconds on the clock', async () => {
    let done = false;
    const polling = receive({ WaitTimeSeconds: 20 }).then((out) => {
      done = true;
      return out;
    });
    await eventually(() => fixture.server.state.waiting === 1);
    await clock.advance(19_999);
    expect(done).to.equal(false);
    await clock.advance(1);
    expect((await polling).Messages).to.equal(undefined);
    expect(fixture.server.state.waiting).to.equal(0);
  });

  it('a long poll wakes when an in-flight message becomes visible again', async () => {
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'retry' }));
    await receive({ VisibilityTimeout: 5 });
    const polling = receive({ WaitTimeSeconds: 20 });
    await eventually(() => fixture.server.state.waiting === 1);
    await clock.advance(5_000);
    const out = await polling;
    expect(out.Messages?.[0]?.Attributes?.ApproximateReceiveCount).to.equal('2');
  });

  it('DelaySeconds hides a message until the delay passes', async () => {
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 3 }));
    expect((await receive()).Messages).to.equal(undefined);
    await clock.advance(3_000);
    expect((await receive()).Messages?.[0]?.Body).to.equal('later');
  });

  it('messages older than the retention period are dropped', async () => {
    const short =
      (
        await fixture.sqs.send(
          new CreateQueueCommand({ QueueName: 'short', Attributes: { MessageRetentionPeriod: '60' } }),
        )
      ).QueueUrl ?? '';
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: short, MessageBody: 'old' }));
    await clock.advance(60_000);
    const out = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: short }));
    expect(out.Messages).to.equal(undefined);
  });

  it('batch send and delete report each entry', async () => {
    const sent = await fixture.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
        ],
      }),
    );
    expect(sent.Successful?.map((s) => s.Id)).to.deep.equal(['a', 'b']);
    const messages = (await receive()).Messages ?? [];
    const deleted = await fixture.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'x', ReceiptHandle: messages[0]?.ReceiptHandle },
          { Id: 'y', ReceiptHandle: 'bogus' },
        ],
      }),
    );
    expect(deleted.Successful?.map((s) => s.Id)).to.deep.equal(['x']);
    expect(deleted.Failed?.map((f) => [f.Id, f.Code])).to.deep.equal([['y', 'ReceiptHandleIsInvalid']]);
  });

  it('faults and the call log work as on the other servers', async () => {
    fixture.server.faults.add({ operation: 'ReceiveMessage', kind: 'throttle', count: 1 });
    const error = await rejectionOf(receive());
    expect(error.name).to.equal('RequestThrottled');
    fixture.server.faults.add({ operation: 'SendMessage', kind: 'server-error', count: 1 });
    const failed = await rejectionOf(
      fixture.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })),
    );
    expect(failed.$metadata?.httpStatusCode).to.equal(500);
    expect(fixture.server.state.counts(fixture.server.state.requireQueue(QueueUrl)).visible).to.equal(0);
    expect(fixture.server.calls.count('ReceiveMessage')).to.equal(1);
    expect(fixture.server.calls.all().at(-1)).to.include({
      operation: 'SendMessage',
      status: 500,
      resource: 'events',
    });
  });

  it('close() ends a pending long poll', async () => {
    const polling = receive({ WaitTimeSeconds: 20 }).catch((error: unknown) => error);
    await eventually(() => fixture.server.state.waiting === 1);
    await fixture.server.close();
    await polling;
    expect(fixture.server.state.waiting).to.equal(0);
  });
});
