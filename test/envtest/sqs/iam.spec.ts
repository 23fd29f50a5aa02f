// SQS emulator with IAM policies per access key, through the real SDK client.
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';

import { type SqsServer, startSqsServer } from '../../../envtest/sqs/server.js';
import { rejectionOf, type SdkError } from '../expect-error.js';
import { sqsClient } from './fixture.js';

const ACCOUNT = '123456789012';
const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/envtest/AKIDLIMITED`;

describe('SQS emulator: IAM policies per access key', () => {
  let server: SqsServer;
  let admin: SQSClient;
  let limited: SQSClient;
  let eventsUrl: string;
  let otherUrl: string;

  beforeEach(async () => {
    server = await startSqsServer({
      iam: {
        policies: {
          AKIDLIMITED: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
                Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:mesh-*`,
              },
            ],
          },
        },
      },
    });
    admin = sqsClient(server);
    limited = new SQSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLIMITED', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    eventsUrl = (await admin.send(new CreateQueueCommand({ QueueName: 'mesh-events' }))).QueueUrl ?? '';
    otherUrl = (await admin.send(new CreateQueueCommand({ QueueName: 'other' }))).QueueUrl ?? '';
    await admin.send(new SendMessageCommand({ QueueUrl: eventsUrl, MessageBody: 'one' }));
    await admin.send(new SendMessageCommand({ QueueUrl: otherUrl, MessageBody: 'two' }));
  });

  afterEach(async () => {
    admin.destroy();
    limited.destroy();
    await server.close();
  });

  it('allows ReceiveMessage on the queue ARN the policy names, and DeleteMessageBatch through sqs:DeleteMessage', async () => {
    const received = await limited.send(new ReceiveMessageCommand({ QueueUrl: eventsUrl }));
    expect(received.Messages?.map((m) => m.Body)).to.deep.equal(['one']);
    const deleted = await limited.send(
      new DeleteMessageBatchCommand({
        QueueUrl: eventsUrl,
        Entries: [{ Id: 'a', ReceiptHandle: received.Messages?.[0]?.ReceiptHandle ?? '' }],
      }),
    );
    expect(deleted.Successful?.map((entry) => entry.Id)).to.deep.equal(['a']);
  });

  it('denies another queue with SQS wording: HTTP 403, query code AccessDenied, lower-case action', async () => {
    const error = (await rejectionOf(
      limited.send(new ReceiveMessageCommand({ QueueUrl: otherUrl })),
    )) as SdkError & {
      Code?: string;
    };
    expect(error.$metadata?.httpStatusCode).to.equal(403);
    expect(error.name).to.equal('AccessDenied');
    expect(error.Code).to.equal('AccessDenied');
    expect(error.message).to.equal(
      `User: ${PRINCIPAL} is not authorized to perform: sqs:receivemessage on resource: ` +
        `arn:aws:sqs:us-east-1:${ACCOUNT}:other because no identity-based policy allows the sqs:receivemessage action`,
    );
    // Nothing was received: the message is still visible to the admin.
    const still = await admin.send(new ReceiveMessageCommand({ QueueUrl: otherUrl }));
    expect(still.Messages?.map((m) => m.Body)).to.deep.equal(['two']);
  });

  it('SendMessage is not granted even on an allowed queue', async () => {
    const error = await rejectionOf(
      limited.send(new SendMessageCommand({ QueueUrl: eventsUrl, MessageBody: 'x' })),
    );
    expect(error.message).to.contain('perform: sqs:sendmessage on resource:');
  });
});
