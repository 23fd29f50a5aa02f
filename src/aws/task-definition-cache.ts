/**
 * TaskDefinitionCache: task definitions with their tags, described once each
 * (`DescribeTaskDefinition` with include TAGS). A revision is immutable, so an entry never goes
 * stale; concurrent lookups of one ARN share one call.
 */
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';

import { type ApiCallObserver } from '../metrics/api-metrics.js';
import { type Clock } from '../time/clock.js';
import { familyFromTaskDefinitionArn } from './arn.js';
import { type CallRateLimiter } from './call-rate-limiter.js';
import { type EcsTags } from './ecs-tags.js';
import { observedCall } from './observed-call.js';

export interface TaskDefinitionFacts {
  readonly arn: string;
  readonly family: string;
  readonly tags: EcsTags;
}

export class TaskDefinitionCache {
  private readonly known = new Map<string, Promise<TaskDefinitionFacts>>();

  constructor(
    private readonly ecs: ECSClient,
    private readonly clock: Clock,
    private readonly observer: ApiCallObserver,
    private readonly limiter?: CallRateLimiter,
  ) {}

  /** The cached facts, without a call; undefined if this ARN was never described. */
  async peek(arn: string): Promise<TaskDefinitionFacts | undefined> {
    return this.known.has(arn) ? this.known.get(arn) : undefined;
  }

  /** Whether this ARN was described (or is being described). */
  has(arn: string): boolean {
    return this.known.has(arn);
  }

  get(arn: string, signal?: AbortSignal): Promise<TaskDefinitionFacts> {
    let entry = this.known.get(arn);
    if (!entry) {
      entry = this.describe(arn, signal);
      this.known.set(arn, entry);
      entry.catch(() => this.known.delete(arn));
    }
    return entry;
  }

  get size(): number {
    return this.known.size;
  }

  private async describe(arn: string, signal?: AbortSignal): Promise<TaskDefinitionFacts> {
    await this.limiter?.acquire(signal);
    const result = await observedCall(this.observer, this.clock, 'ecs', 'DescribeTaskDefinition', () =>
      this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }), {
        abortSignal: signal,
      }),
    );
    const definition = result.taskDefinition;
    return {
      arn,
      family: definition?.family ?? familyFromTaskDefinitionArn(arn) ?? '',
      tags: result.tags ?? [],
    };
  }
}
