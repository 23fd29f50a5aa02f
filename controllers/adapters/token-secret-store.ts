/**
 * TokenSecretStore: reads and writes token secrets in AWS Secrets Manager.
 *
 * Invariants:
 * - `read` classifies the secret (missing, scheduled for deletion, or the parse of its value) and
 *   rejects only on API failures; it never returns or logs the raw value.
 * - An answer that is not a secret value (no SecretString and no SecretBinary, as a proxy's `{}`
 *   or an empty body deserializes; or a SecretString that is not a string) is an API failure
 *   (InvalidAwsResponseError, code "InvalidResponse"), never "empty": an empty secret gets new
 *   IDs written, and a garbled answer must not rotate a service's token.
 * - A secret that holds SecretBinary instead of SecretString is malformed ("the secret holds
 *   SecretBinary, not SecretString"), never empty: its repair is logged and counted like any
 *   other malformed value, and the binary value is never read into a message.
 * - `write` stores the new value as a new AWSCURRENT version with `UpdateSecret` (as consul-ecs
 *   does, so upstream's task role, which grants `UpdateSecret` and not `PutSecretValue`, is
 *   enough), so the previous value stays recoverable as AWSPREVIOUS.
 * - Every call is reported to the API observer.
 * - Every write (UpdateSecret, CreateSecret) first waits for the shared write limiter, if given.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  UpdateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

import { type ApiCallObserver } from '../../src/metrics/api-metrics.js';
import { type Clock } from '../../src/time/clock.js';
import { type CallRateLimiter } from '../../src/aws/call-rate-limiter.js';
import { InvalidAwsResponseError } from '../../src/aws/invalid-response.js';
import { observedCall } from '../../src/aws/observed-call.js';
import {
  formatTokenSecret,
  type ParsedTokenSecret,
  parseTokenSecret,
  type TokenIds,
} from '../domain/token-secret.js';

export type SecretRead =
  ParsedTokenSecret | { readonly state: 'missing' } | { readonly state: 'scheduled-for-deletion' };

const HOLDS_BINARY: ParsedTokenSecret = {
  state: 'malformed',
  reason: 'the secret holds SecretBinary, not SecretString',
};

export class TokenSecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly clock: Clock,
    private readonly observer: ApiCallObserver,
    /** Secrets Manager's write budget is per account: one limiter for every cluster's writes. */
    private readonly writeLimiter?: CallRateLimiter,
  ) {}

  async read(secretId: string, signal?: AbortSignal): Promise<SecretRead> {
    try {
      const result = await this.call('GetSecretValue', async () =>
        checkSecretValue(
          await this.client.send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal: signal }),
        ),
      );
      if (result.SecretString === undefined) return HOLDS_BINARY;
      return parseTokenSecret(result.SecretString);
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ResourceNotFoundException') return { state: 'missing' };
      if (name === 'InvalidRequestException' && /marked for deletion/i.test((error as Error).message)) {
        return { state: 'scheduled-for-deletion' };
      }
      throw error;
    }
  }

  async write(secretId: string, ids: TokenIds, signal?: AbortSignal): Promise<void> {
    await this.writeLimiter?.acquire(signal);
    await this.call('UpdateSecret', () =>
      this.client.send(
        new UpdateSecretCommand({ SecretId: secretId, SecretString: formatTokenSecret(ids) }),
        {
          abortSignal: signal,
        },
      ),
    );
  }

  /** Creates a secret holding `{}`, tagged as made by this controller. */
  async createEmpty(name: string, tags: Record<string, string>, signal?: AbortSignal): Promise<void> {
    await this.writeLimiter?.acquire(signal);
    await this.call('CreateSecret', () =>
      this.client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: '{}',
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
        { abortSignal: signal },
      ),
    );
  }

  private call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return observedCall(this.observer, this.clock, 'secretsmanager', operation, call);
  }
}

function checkSecretValue(result: GetSecretValueCommandOutput): GetSecretValueCommandOutput {
  const { SecretString, SecretBinary } = result as unknown as Record<string, unknown>;
  if (SecretString !== undefined && typeof SecretString !== 'string') {
    throw new InvalidAwsResponseError('GetSecretValue', 'SecretString is not a string');
  }
  if (SecretString === undefined && SecretBinary === undefined) {
    throw new InvalidAwsResponseError(
      'GetSecretValue',
      'the answer has neither SecretString nor SecretBinary',
    );
  }
  return result;
}
