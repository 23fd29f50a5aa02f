import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { rejectionOf } from '../expect-error.js';
import { type SqsFixture, startSqsFixture } from './fixture.js';

describe('SQS emulator: queues', () => {
  let fixture: SqsFixture;
  beforeEach(async () => {
    fixture = await startSqsFixture({ clock: new ManualClock() });
  });
  afterEach(() => fixture.close());

  it('CreateQueue returns <server>/<account>/<name>, and GetQueueUrl finds it', async () => {
    const { QueueUrl } = await fixture.sqs.send(new CreateQueueCommand({ QueueName: 'events' }));
    expect(QueueUrl).to.equal(`${fixture.server.url}/123456789012/events`);
    const found = await fixture.sqs.send(new GetQueueUrlCommand({ QueueName: 'events' }));
    expect(found.QueueUrl).to.equal(QueueUrl);
  });

  it('CreateQueue is idempotent for the same attributes and refuses different ones', async () => {
    const first = await fixture.sqs.send(
      new CreateQueueCommand({ QueueName: 'q', Attributes: { VisibilityTimeout: '60' } }),
    );
    const again = await fixture.sqs.send(
      new CreateQueueCommand({ QueueName: 'q', Attributes: { VisibilityTimeout: '60' } }),
    );
    expect(again.QueueUrl).to.equal(first.QueueUrl);
    const error = await rejectionOf(
      fixture.sqs.send(new CreateQueueCommand({ QueueName: 'q', Attributes: { VisibilityTimeout: '10' } })),
    );
    expect(error.name).to.equal('QueueNameExists');
    expect((error as unknown as { Code?: string }).Code).to.equal('QueueAlreadyExists');
  });

  it('GetQueueUrl of a missing queue is QueueDoesNotExist with the legacy query code', async () => {
    const error = await rejectionOf(fixture.sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })));
    expect(error.name).to.equal('QueueDoesNotExist');
    expect((error as unknown as { Code?: string }).Code).to.equal('AWS.SimpleQueueService.NonExistentQueue');
    expect(error.$metadata?.httpStatusCode).to.equal(400);
    expect(fixture.server.calls.all().at(-1)).to.include({
      operation: 'GetQueueUrl',
      error: 'QueueDoesNotExist',
    });
  });

  it('rejects bad queue names and out-of-range attributes', async () => {
    const badName = await rejectionOf(fixture.sqs.send(new CreateQueueCommand({ QueueName: 'a b' })));
    expect(badName.name).to.equal('InvalidParameterValue');
    const badAttribute = await rejectionOf(
      fixture.sqs.send(
        new CreateQueueCommand({ QueueName: 'ok', Attributes: { VisibilityTimeout: '43201' } }),
      ),
    );
    expect(badAttribute.name).to.equal('InvalidAttributeValue');
    expect(fixture.server.state.findQueue('ok')).to.equal(undefined);
  });

  it('GetQueueAttributes reports the configured attributes and message counts; PurgeQueue empties it', async () => {
    const { QueueUrl } = await fixture.sqs.send(
      new CreateQueueCommand({ QueueName: 'counted', Attributes: { MessageRetentionPeriod: '120' } }),
    );
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a' }));
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b', DelaySeconds: 5 }));
    const { Attributes } = await fixture.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes).to.include({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesDelayed: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
      VisibilityTimeout: '30',
      MessageRetentionPeriod: '120',
      QueueArn: 'arn:aws:sqs:us-east-1:123456789012:counted',
    });
    await fixture.sqs.send(new PurgeQueueCommand({ QueueUrl }));
    const after = await fixture.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(after.Attributes).to.deep.equal({ ApproximateNumberOfMessages: '0' });
  });

  it('ListQueues filters by prefix; DeleteQueue removes the queue', async () => {
    const a = await fixture.sqs.send(new CreateQueueCommand({ QueueName: 'app-a' }));
    await fixture.sqs.send(new CreateQueueCommand({ QueueName: 'other' }));
    const listed = await fixture.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'app-' }));
    expect(listed.QueueUrls).to.deep.equal([a.QueueUrl]);
    await fixture.sqs.send(new DeleteQueueCommand({ QueueUrl: a.QueueUrl }));
    const error = await rejectionOf(fixture.sqs.send(new GetQueueUrlCommand({ QueueName: 'app-a' })));
    expect(error.name).to.equal('QueueDoesNotExist');
  });
});
