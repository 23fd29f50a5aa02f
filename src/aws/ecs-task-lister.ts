/**
 * EcsTaskLister: the list function of the ECS task informer.
 *
 * Invariants:
 * - One list is `ListTasks` (desiredStatus RUNNING, pages of 100, following `nextToken` to the
 *   end), then `DescribeTasks` (include TAGS, at most 100 ARNs a call) only for ARNs it has not
 *   described before: a task's tags and task definition never change, so they are cached by ARN.
 * - The cache keeps only ARNs seen in the latest list, so it never outgrows the cluster.
 * - A task that DescribeTasks reports MISSING (it stopped in between) is left out of the snapshot.
 * - Any ListTasks or DescribeTasks error fails the whole list; the informer retries it.
 */
import { DescribeTasksCommand, type ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';

import { type ListResult } from '../cache/informer.js';
import { type MeshTask, toMeshTask } from '../mesh/mesh-task.js';
import { type ApiCallObserver } from '../metrics/api-metrics.js';
import { type Clock } from '../time/clock.js';
import { type CallRateLimiter } from './call-rate-limiter.js';
import { observedCall } from './observed-call.js';

export interface EcsTaskListerOptions {
  readonly ecs: ECSClient;
  readonly cluster: string;
  readonly partitionsEnabled: boolean;
  readonly clock: Clock;
  readonly observer: ApiCallObserver;
  /** The client-side bucket for ECS task reads (ListTasks, DescribeTasks). */
  readonly limiter?: CallRateLimiter;
}

const PAGE = 100;

export class EcsTaskLister {
  private described = new Map<string, MeshTask>();

  constructor(private readonly options: EcsTaskListerOptions) {}

  async list(signal: AbortSignal): Promise<ListResult<MeshTask>> {
    const arns = await this.listRunningArns(signal);
    const unknown = arns.filter((arn) => !this.described.has(arn));
    const fresh = new Map<string, MeshTask>();
    for (let i = 0; i < unknown.length; i += PAGE) {
      for (const task of await this.describe(unknown.slice(i, i + PAGE), signal))
        fresh.set(task.taskArn, task);
    }
    const next = new Map<string, MeshTask>();
    for (const arn of arns) {
      const task = this.described.get(arn) ?? fresh.get(arn);
      if (task) next.set(arn, task);
    }
    this.described = next;
    return { items: [...next.values()] };
  }

  /** The cached description of a task, if it was described before. */
  known(taskArn: string): MeshTask | undefined {
    return this.described.get(taskArn);
  }

  /** Remembers a task learnt elsewhere (an event), so the next list does not describe it again. */
  remember(task: MeshTask): void {
    this.described.set(task.taskArn, task);
  }

  /** Describes tasks in batches of 100 and remembers them; MISSING tasks are left out. */
  async describeTasks(arns: readonly string[], signal: AbortSignal): Promise<MeshTask[]> {
    const tasks: MeshTask[] = [];
    for (let i = 0; i < arns.length; i += PAGE)
      tasks.push(...(await this.describe(arns.slice(i, i + PAGE), signal)));
    for (const task of tasks) this.remember(task);
    return tasks;
  }

  private async listRunningArns(signal: AbortSignal): Promise<string[]> {
    const { ecs, cluster, clock, observer } = this.options;
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      await this.options.limiter?.acquire(signal);
      const page = await observedCall(observer, clock, 'ecs', 'ListTasks', () =>
        ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', maxResults: PAGE, nextToken }), {
          abortSignal: signal,
        }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  private async describe(arns: readonly string[], signal: AbortSignal): Promise<MeshTask[]> {
    const { ecs, cluster, clock, observer, partitionsEnabled } = this.options;
    await this.options.limiter?.acquire(signal);
    const result = await observedCall(observer, clock, 'ecs', 'DescribeTasks', () =>
      ecs.send(new DescribeTasksCommand({ cluster, tasks: [...arns], include: ['TAGS'] }), {
        abortSignal: signal,
      }),
    );
    return (result.tasks ?? [])
      .filter((task) => task.taskArn && task.taskDefinitionArn)
      .map((task) =>
        toMeshTask(
          {
            taskArn: task.taskArn as string,
            taskDefinitionArn: task.taskDefinitionArn as string,
            tags: task.tags ?? [],
            version: task.version,
          },
          partitionsEnabled,
        ),
      );
  }
}
