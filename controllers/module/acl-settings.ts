/**
 * The ACL module's settings: the SDK clients and Consul settings it is given, the per-cluster
 * configurations, test hooks, and the AWS SDK client options every product client uses (a request
 * timeout, since the SDK has none by default).
 */
import { type ECSClient } from '@aws-sdk/client-ecs';
import { type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type SQSClient } from '@aws-sdk/client-sqs';

import { type ConsulSettings } from '../../src/consul/consul-settings.js';
import { type AclControllerConfig } from '../domain/acl-config.js';

/** Longest one AWS API attempt may take before it fails with TimeoutError (and is retried). */
export const AWS_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Options for the controller's AWS SDK clients. The SDK has no request timeout by default, so a
 * hung ECS or Secrets Manager endpoint would hold a worker forever; and `requestTimeout` alone only
 * logs a warning in this SDK (@smithy/node-http-handler) unless `throwOnRequestTimeout` is set.
 */
export function awsClientOptions(requestTimeoutMs: number = AWS_REQUEST_TIMEOUT_MS) {
  return {
    customUserAgent: 'ecs-acl-controller',
    requestHandler: {
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(requestTimeoutMs, 5_000),
    },
  };
}

export interface AclClients {
  readonly ecs: ECSClient;
  /** Needed only with `eventsQueueUrl`. */
  readonly sqs?: SQSClient;
  readonly secretsManager: SecretsManagerClient;
  readonly consul: ConsulSettings;
}

export interface AclModuleSettings {
  /** One config per ECS cluster served: a process may serve several, each with its own everything. */
  readonly config: AclControllerConfig | readonly AclControllerConfig[];
  readonly clients: AclClients;
  /** Generates token IDs; random UUIDs unless a test injects its own. */
  readonly newId?: () => string;
  /** Longest blocking-query wait on Consul lists (default 5 minutes). */
  readonly watchWaitMs?: number;
  /** SQS long-polling wait of the event consumer (default 20 s). */
  readonly eventsWaitSeconds?: number;
}
