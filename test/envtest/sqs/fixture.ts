// Test fixture: an SQS emulator and a real @aws-sdk/client-sqs pointed at it.
import { SQSClient } from '@aws-sdk/client-sqs';

import { type SqsServer, type SqsServerOptions, startSqsServer } from '../../../envtest/sqs/server.js';

export interface SqsFixture {
  readonly server: SqsServer;
  readonly sqs: SQSClient;
  close(): Promise<void>;
}

export function sqsClient(server: SqsServer, maxAttempts = 1): SQSClient {
  return new SQSClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts,
  });
}

export async function startSqsFixture(options: SqsServerOptions = {}, maxAttempts = 1): Promise<SqsFixture> {
  const server = await startSqsServer(options);
  const sqs = sqsClient(server, maxAttempts);
  return {
    server,
    sqs,
    close: async () => {
      sqs.destroy();
      await server.close();
    },
  };
}
