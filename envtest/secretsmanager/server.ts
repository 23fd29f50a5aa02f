/**
 * SecretsManagerServer: the Secrets Manager emulator, an AWS JSON 1.1 endpoint the real
 * @aws-sdk/client-secrets-manager talks to.
 *
 * Invariants:
 * - One server, one SecretStore, one CallLog, one FaultInjector; no global state.
 * - The call log names the secret a call addressed (its id or name), never its value.
 * - Throttle faults answer ThrottlingException (HTTP 400); server-error faults answer
 *   InternalServiceError (HTTP 500).
 * - With `iam`, calls signed with a listed access key must be allowed by its policies (the
 *   requests of `iam.ts`), or are answered AccessDeniedException (HTTP 400) and change nothing.
 */
import { asyncScheduler } from 'rxjs';

import { type Clock, type Random } from '../../src/time/clock.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';
import { type JsonObject } from '../aws/input.js';
import { type IamOptions } from '../aws/iam/authorizer.js';
import { type AwsJsonServer, startAwsJsonServer } from '../aws/server.js';
import { internalServiceError, throttling } from './errors.js';
import { secretsManagerAuthorization } from './iam.js';
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
  /** IAM policies per access key ID; keys without one (and unsigned calls) are allowed everything. */
  readonly iam?: IamOptions;
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
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const store = new SecretStore({ clock, random, region, accountId });
  const authorization = secretsManagerAuthorization({ store, region, accountId, random });
  return startAwsJsonServer({
    targetPrefix: SECRETS_MANAGER_TARGET_PREFIX,
    state: store,
    operations: {
      ...secretOperations(store),
      ...valueOperations(store),
      ...listingOperations(store),
      ...taggingOperations(store),
    },
    iam: {
      ...(options.iam !== undefined ? { options: options.iam } : {}),
      accountId,
      authorization,
    },
    clock,
    random,
    ...(options.port !== undefined ? { port: options.port } : {}),
    throttleError: throttling,
    serverError: internalServiceError,
    resourceOf,
  });
}
