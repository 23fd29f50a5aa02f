/**
 * EcsServiceRefresher: brings named services of the ECS service informer up to date between its
 * full lists, by describing only them: a service event names one, or a controller must confirm
 * that a cached service still exists before acting on it.
 *
 * Invariants: one DescribeServices per 10 services (through the lister, its limiter and its
 * projection); a described service is upserted (an INACTIVE one too, so indexes of ACTIVE services
 * drop it), one ECS reports MISSING is removed; the informer's version rules keep a stale answer
 * from moving the cache backwards. API errors reject and change nothing.
 */
import { type Informer } from '../cache/informer.js';
import { type ListedService } from './ecs-service-facts.js';
import { type EcsServiceLister } from './ecs-service-lister.js';

/** The version a removal records: any later description of the ARN is newer. */
const MISSING_VERSION = 'MISSING';

export interface ServiceRefresh {
  /** Describes these services and applies the answers to the cache. */
  refresh(serviceArns: readonly string[], signal: AbortSignal): Promise<void>;
}

export class EcsServiceRefresher<T extends ListedService> implements ServiceRefresh {
  constructor(
    private readonly informer: Informer<T>,
    private readonly lister: Pick<EcsServiceLister<T>, 'describeArns'>,
  ) {}

  async refresh(serviceArns: readonly string[], signal: AbortSignal): Promise<void> {
    const arns = [...new Set(serviceArns)];
    if (arns.length === 0) return;
    const { items, missing } = await this.lister.describeArns(arns, signal);
    for (const item of items) this.informer.upsert(item);
    for (const arn of missing) this.informer.remove(arn, MISSING_VERSION);
  }
}
