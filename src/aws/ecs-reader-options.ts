/**
 * EcsReaderOptions: what every ECS reader of one cluster is given: the SDK client, the cluster
 * (name or ARN), the clock and API-call observer for metrics, and optionally the client-side
 * rate-limit bucket its calls draw from.
 */
import { type ECSClient } from '@aws-sdk/client-ecs';

import { type ApiCallObserver } from '../metrics/api-metrics.js';
import { type Clock } from '../time/clock.js';
import { type CallRateLimiter } from './call-rate-limiter.js';

export interface EcsReaderOptions {
  readonly ecs: ECSClient;
  readonly cluster: string;
  readonly clock: Clock;
  readonly observer: ApiCallObserver;
  /** The client-side bucket for this reader's calls (one per ECS throttling bucket). */
  readonly limiter?: CallRateLimiter;
}
