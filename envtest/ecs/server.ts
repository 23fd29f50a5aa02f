/**
 * EcsServer: the ECS emulator, an AWS JSON 1.1 endpoint the real @aws-sdk/client-ecs talks to.
 *
 * Invariants:
 * - One server, one EcsState, one CallLog, one FaultInjector; no global state.
 * - Task lifecycle steps run on the injected clock (real time by default), with the configured
 *   durations; `close()` stops the listener and cancels every pending step.
 * - Throttle faults answer ThrottlingException "Rate exceeded" (HTTP 400); server-error faults
 *   answer ServerException (HTTP 500).
 * - With `iam`, calls signed with a listed access key must be allowed by its policies (the
 *   requests of `iam.ts`), or are answered AccessDeniedException (HTTP 400) and change nothing.
 * - With `events`, every task change is published as an "ECS Task State Change" event
 *   (`server.events`, a TaskEventPipe); without it `server.events` is undefined.
 */
import { asyncScheduler } from 'rxjs';

import { type Clock, type Random } from '../../src/time/clock.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';
import { type JsonObject } from '../aws/input.js';
import { type IamOptions } from '../aws/iam/authorizer.js';
import { type AwsJsonServer, startAwsJsonServer } from '../aws/server.js';
import { serverException, throttling } from './errors.js';
import { type EcsEventsOptions, TaskEventPipe } from './event-pipe.js';
import { ecsAuthorization } from './iam.js';
import { type EcsTimings, type ServiceLaunchRetry } from './model.js';
import { clusterOperations } from './operations/clusters.js';
import { serviceOperations } from './operations/services.js';
import { taggingOperations } from './operations/tagging.js';
import { taskDefinitionOperations } from './operations/task-definitions.js';
import { taskOperations } from './operations/tasks.js';
import { DEFAULT_SERVICE_LAUNCH_RETRY, EcsState } from './state.js';
import { type SecretResolver, storeResolver } from './task-secrets.js';
import { SecretStore } from '../secretsmanager/store.js';

export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';

export const DEFAULT_ECS_TIMINGS: EcsTimings = { provisioningMs: 0, pendingMs: 0, stoppingMs: 0 };

export interface EcsServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /** Drives task lifecycle steps and timestamps; real time by default. */
  readonly clock?: Clock;
  readonly region?: string;
  readonly accountId?: string;
  /** How long tasks stay in each transitional lastStatus. */
  readonly timings?: Partial<EcsTimings>;
  /** Source of ids and of fractional fault decisions. */
  readonly random?: Random;
  /**
   * Delete a task's tags once it is STOPPED ("Any tags associated with the task will be deleted",
   * StopTask documentation). Off by default: stopped tasks keep their tags, as moto does.
   */
  readonly clearTagsOnStop?: boolean;
  /** Publish "ECS Task State Change" events to an envtest SQS queue or a function. */
  readonly events?: EcsEventsOptions;
  /**
   * Where tasks read `containerDefinitions[].secrets` at start: the envtest Secrets Manager
   * server's `state` (a SecretStore) or a resolver. Without it secrets are not checked.
   */
  readonly secrets?: SecretStore | SecretResolver;
  /** Service scheduler retry gaps after failed launches; defaults 10 s doubling up to 27 min. */
  readonly serviceLaunchRetry?: Partial<ServiceLaunchRetry>;
  /** IAM policies per access key ID; keys without one (and unsigned calls) are allowed everything. */
  readonly iam?: IamOptions;
}

export interface EcsServer extends AwsJsonServer<EcsState> {
  /** The event pipe, when `events` was given: published events, delivery counts, event faults. */
  readonly events: TaskEventPipe | undefined;
}

function resourceOf(_operation: string, input: JsonObject): string | undefined {
  for (const field of [
    'resourceArn',
    'service',
    'serviceName',
    'cluster',
    'clusterName',
    'family',
    'taskDefinition',
  ]) {
    const value = input[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

export async function startEcsServer(options: EcsServerOptions = {}): Promise<EcsServer> {
  const clock = options.clock ?? new SchedulerClock(asyncScheduler);
  const random = options.random ?? Math.random;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const state = new EcsState({
    clock,
    random,
    region,
    accountId,
    timings: { ...DEFAULT_ECS_TIMINGS, ...options.timings },
    clearTagsOnStop: options.clearTagsOnStop ?? false,
    ...(options.secrets !== undefined
      ? { secrets: options.secrets instanceof SecretStore ? storeResolver(options.secrets) : options.secrets }
      : {}),
    serviceLaunchRetry: { ...DEFAULT_SERVICE_LAUNCH_RETRY, ...options.serviceLaunchRetry },
  });
  const events = options.events
    ? new TaskEventPipe(state, options.events, { clock, random, region, accountId })
    : undefined;
  const authorization = ecsAuthorization(state);
  const server = await startAwsJsonServer({
    targetPrefix: ECS_TARGET_PREFIX,
    state,
    operations: {
      ...clusterOperations(state),
      ...taskDefinitionOperations(state),
      ...serviceOperations(state),
      ...taskOperations(state),
      ...taggingOperations(state),
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
    serverError: serverException,
    resourceOf,
    onClose: () => {
      events?.dispose();
      state.dispose();
    },
  });
  return { ...server, events };
}
