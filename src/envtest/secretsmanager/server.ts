/**
 * SecretsManagerServer: the Secrets Manager emulator, an AWS JSON 1.1 endpoint the real
 * @aws-sdk/client-secrets-manager talks to.
 *
 * Invariants:
 * - One server, one SecretStore, one CallLog, one FaultInjector; no global state.
 * - The call log names the secret a call addressed (its id or name), never its value.
 * - Throttle faults answer ThrottlingException (HTTP 400); server-error faults answer
 *   InternalServiceError (HTTP 500).
 */
import { asyncScheduler } from 'rxjs';

import { type Clock, type Random } from '../../time/clock.js';
import { SchedulerClock } from '../../time/scheduler-clock.js';
import { type JsonObject } from '../aws/input.js';
import { type AwsJsonServer, startAwsJsonServer } from '../aws/server.js';
import { internalServiceError, throttling } from './errors.js';
import { listingOperations } from './operations/listing.js';
import { secretOperations } from './operations/secrets.js';
import { taggingOperations } from './operations/tagging.js';
import { valueOperations } from './operations/values.js';
import { SecretStore } from './store.js';

export const SECRETS_MANAGER_TARGET_PREFIX = 'secretsmanager';

export interface SecretsManagerServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /** Timestamps and recovery windows; real time by default. */
  readonly clock?: Clock;
  readonly region?: string;
  readonly accountId?: string;
  /** Source of ARN suffixes, version ids and fractional fault decisions. */
  readonly random?: Random;
}

export type SecretsManagerServer = AwsJsonServer<SecretStore>;

function resourceOf(_operation: string, input: JsonObject): string | undefined {
  const id = input.SecretId ?? input.Name;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

export async function startSecretsManagerServer(
  options: SecretsManagerServerOptions = {},
): Promise<SecretsManagerServer> {
  const clock = options.clock ?? new SchedulerClock(asyncScheduler);
  const random = options.random ?? Math.random;
  const store = new SecretStore({
    clock,
    random,
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
  });
  return startAwsJsonServer({
    targetPrefix: SECRETS_MANAGER_TARGET_PREFIX,
    state: store,
    operations: {
      ...secretOperations(store),
      ...valueOperations(store),
      ...listingOperations(store),
      ...taggingOperations(store),
    },
    clock,
    random,
    ...(options.port !== undefined ? { port: options.port } : {}),
    throttleError: throttling,
    serverError: internalServiceError,
    resourceOf,
  });
}
