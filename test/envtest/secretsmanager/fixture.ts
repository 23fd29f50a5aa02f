// Test fixture: a Secrets Manager emulator and a real @aws-sdk/client-secrets-manager pointed at it.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import {
  type SecretsManagerServer,
  type SecretsManagerServerOptions,
  startSecretsManagerServer,
} from '../../../envtest/secretsmanager/server.js';

export interface SecretsFixture {
  readonly server: SecretsManagerServer;
  readonly sm: SecretsManagerClient;
  close(): Promise<void>;
}

export function secretsClient(server: SecretsManagerServer, maxAttempts = 1): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts,
  });
}

export async function startSecretsFixture(
  options: SecretsManagerServerOptions = {},
  maxAttempts = 1,
): Promise<SecretsFixture> {
  const server = await startSecretsManagerServer(options);
  const sm = secretsClient(server, maxAttempts);
  return {
    server,
    sm,
    close: async () => {
      sm.destroy();
      await server.close();
    },
  };
}
