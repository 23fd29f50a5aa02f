/**
 * EcsServiceLister: the list function of the ECS service informer.
 *
 * Invariants:
 * - One list is `ListServices` (pages of 100, to the end), then `DescribeServices` (10 a call,
 *   include TAGS), then `DescribeTaskDefinition` only for task definitions never seen before.
 * - Services reported as failures (gone in between) are left out. Any API error fails the list.
 * - A service `skipDescribe` accepts (by name, the last part of its ARN) is listed but neither
 *   described nor returned: the caller knows what it needs of it another way (its running tasks).
 * - Each described service is projected (`project`, default: the EcsServiceFacts themselves) into
 *   the item the informer caches.
 * - `describeArns` describes given services only (an event's, or the ones a controller must
 *   confirm): 10 a call, and it reports those ECS answered as MISSING, so a caller can drop them.
 */
import { DescribeServicesCommand, ListServicesCommand } from '@aws-sdk/client-ecs';

import { type ListResult } from '../cache/informer.js';
import { type EcsReaderOptions } from './ecs-reader-options.js';
import { type EcsServiceFacts, type ListedService } from './ecs-service-facts.js';
import { observedCall } from './observed-call.js';
import { type TaskDefinitionCache } from './task-definition-cache.js';

export interface EcsServiceListerOptions<T extends ListedService = EcsServiceFacts> extends EcsReaderOptions {
  /** Turns the facts of a described service into the cached item. Omitted, the facts are the item. */
  readonly project?: (facts: EcsServiceFacts) => T;
  readonly taskDefinitions: TaskDefinitionCache;
  /** Services not to describe (and to leave out of the list), by service name; asked once per list. */
  readonly skipDescribe?: (serviceName: string) => boolean;
}

/** The name of a service ARN (`…:service/<name>` or `…:service/<cluster>/<name>`). */
export function serviceNameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export class EcsServiceLister<T extends ListedService = EcsServiceFacts> {
  private readonly project: (facts: EcsServiceFacts) => T;

  constructor(private readonly options: EcsServiceListerOptions<T>) {
    this.project = options.project ?? ((facts) => facts as unknown as T);
  }

  async list(signal: AbortSignal): Promise<ListResult<T>> {
    const skip = this.options.skipDescribe;
    const arns = (await this.listArns(signal)).filter((arn) => !skip?.(serviceNameOfArn(arn)));
    return { items: (await this.describeArns(arns, signal)).items };
  }

  /** The given services, described 10 a call; `missing`: the ARNs ECS reported as MISSING. */
  async describeArns(
    arns: readonly string[],
    signal: AbortSignal,
  ): Promise<{ readonly items: T[]; readonly missing: string[] }> {
    const items: T[] = [];
    const missing: string[] = [];
    for (let i = 0; i < arns.length; i += 10) {
      const described = await this.describe(arns.slice(i, i + 10), signal);
      items.push(...described.items);
      missing.push(...described.missing);
    }
    return { items, missing };
  }

  private async listArns(signal: AbortSignal): Promise<string[]> {
    const { ecs, cluster } = this.options;
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListServices', signal, () =>
        ecs.send(new ListServicesCommand({ cluster, maxResults: 100, nextToken }), { abortSignal: signal }),
      );
      arns.push(...(page.serviceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  private async describe(
    arns: readonly string[],
    signal: AbortSignal,
  ): Promise<{ items: T[]; missing: string[] }> {
    const { ecs, cluster, taskDefinitions } = this.options;
    const result = await this.call('DescribeServices', signal, () =>
      ecs.send(new DescribeServicesCommand({ cluster, services: [...arns], include: ['TAGS'] }), {
        abortSignal: signal,
      }),
    );
    const services: T[] = [];
    for (const service of result.services ?? []) {
      if (!service.serviceArn || !service.taskDefinition) continue;
      const taskDefinition = await taskDefinitions.get(service.taskDefinition, signal);
      services.push(
        this.project({
          serviceArn: service.serviceArn,
          status: service.status ?? 'ACTIVE',
          taskDefinitionArn: service.taskDefinition,
          desiredCount: service.desiredCount ?? 0,
          propagateTags: service.propagateTags,
          tags: service.tags ?? [],
          taskDefinition,
        }),
      );
    }
    const missing = (result.failures ?? [])
      .filter((failure) => failure.reason === 'MISSING' && failure.arn !== undefined)
      .map((failure) => failure.arn as string);
    return { items: services, missing };
  }

  private async call<T>(operation: string, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    await this.options.limiter?.acquire(signal);
    return observedCall(this.options.observer, this.options.clock, 'ecs', operation, call);
  }
}
