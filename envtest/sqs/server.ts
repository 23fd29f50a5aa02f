/**
 * SqsServer: the SQS emulator, an AWS JSON 1.0 endpoint the real @aws-sdk/client-sqs talks to
 * (`X-Amz-Target: AmazonSQS.<Operation>`, `x-amzn-query-error` on errors as AWS sends it).
 *
 * Invariants:
 * - One server, one SqsState, one CallLog, one FaultInjector; no global state.
 * - Queue URLs are `<server url>/<accountId>/<queue name>`, so the SDK keeps talking to this server.
 * - Long polls and visibility timeouts run on the injected clock; `close()` stops the listener and
 *   ends every pending long poll.
 * - Throttle faults answer RequestThrottled (HTTP 403, as the SDK models it); server-error faults
 *   answer InternalError (HTTP 500).
 * - With `iam`, calls signed with a listed access key must be allowed by its policies (the
 *   requests of `iam.ts`), or are answered AccessDenied (HTTP 403) and change nothing.
 */
import { asyncScheduler } from 'rxjs';

import { type Clock, type Random } from '../../src/time/clock.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';
import { type JsonObject } from '../aws/input.js';
import { type IamOptions } from '../aws/iam/authorizer.js';
import { type AwsJsonServer, startAwsJsonServer } from '../aws/server.js';
import { internalError, requestThrottled } from './errors.js';
import { sqsAccessDenied, sqsAuthorization } from './iam.js';
import { sqsOperations } from './operations.js';
import { SqsState } from './state.js';

export const SQS_TARGET_PREFIX = 'AmazonSQS';
export const SQS_CONTENT_TYPE = 'application/x-amz-json-1.0';

export interface SqsServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /** Drives long polls, visibility timeouts, delays and timestamps; real time by default. */
  readonly clock?: Clock;
  /** Source of message ids, receipt handles and fractional fault decisions. */
  readonly random?: Random;
  readonly region?: string;
  readonly accountId?: string;
  /** IAM policies per access key ID; keys without one (and unsigned calls) are allowed everything. */
  readonly iam?: IamOptions;
}

export type SqsServer = AwsJsonServer<SqsState>;

function resourceOf(_operation: string, input: JsonObject): string | undefined {
  const value = input.QueueUrl ?? input.QueueName;
  if (typeof value !== 'string' || value === '') return undefined;
  return value
    .split('/')
    .filter((s) => s !== '')
    .pop();
}

export async function startSqsServer(options: SqsServerOptions = {}): Promise<SqsServer> {
  const clock = options.clock ?? new SchedulerClock(asyncScheduler);
  const random = options.random ?? Math.random;
  const accountId = options.accountId ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const state = new SqsState({ clock, random, region, accountId });
  const operations = sqsOperations(state, accountId);
  const authorization = sqsAuthorization(Object.keys(operations), region, accountId);
  const server = await startAwsJsonServer({
    targetPrefix: SQS_TARGET_PREFIX,
    contentType: SQS_CONTENT_TYPE,
    state,
    operations,
    iam: {
      ...(options.iam !== undefined ? { options: options.iam } : {}),
      accountId,
      authorization,
      accessDenied: sqsAccessDenied,
    },
    clock,
    random,
    ...(options.port !== undefined ? { port: options.port } : {}),
    throttleError: requestThrottled,
    serverError: internalError,
    resourceOf,
    onClose: () => state.dispose(),
  });
  state.baseUrl = server.url;
  return server;
}
