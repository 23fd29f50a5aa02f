/**
 * EcsTaskLister: the list function of the ECS task informer.
 *
 * Invariants:
 * - One list is `ListTasks` (desiredStatus RUNNING, pages of 100, following `nextToken` to the
 *   end), then `DescribeTasks` (include TAGS, at most 100 ARNs a call) only for ARNs it has not
 *   described before: a task's tags and task definition never change, so they are cached by ARN.
 * - The cache keeps only ARNs seen in the latest list, so it never outgrows the cluster.
 * - A task that DescribeTasks reports MISSING (it stopped in between) is left out of the snapshot.
 * - A DescribeTasks answer that does not account for every ARN asked about (each must come back
 *   as a task with its taskArn and taskDefinitionArn, or as a MISSING failure) is an
 *   InvalidAwsResponseError, reported to the API observer with code "InvalidResponse": a garbled
 *   answer must never make a running task, and so its service's token, disappear. Nothing of
 *   such an answer is cached.
 * - Absent `taskArns` or `tags` lists read as empty: AWS JSON may omit empty lists.
 * - Any ListTasks or DescribeTasks error fails the whole list; the informer retries it.
 */
import {
  DescribeTasksCommand,
  type DescribeTasksCommandOutput,
  type ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';

import { type ListResult } from '../cache/informer.js';
import { type MeshTask, toMeshTask } from '../mesh/mesh-task.js';
import { type ApiCallObserver } from '../metrics/api-metrics.js';
import { type Clock } from '../time/clock.js';
import { observedCall } from './observed-call.js';

export interface EcsTaskListerOptions {
  readonly ecs: ECSClient;
  readonly cluster: string;
  readonly partitionsEnabled: boolean;
  readonly clock: Clock;
  readonly observer: ApiCallObserver;
}

const PAGE = 100;

/** An AWS answer that parsed but cannot be trusted (fields missing, tasks unaccounted for). */
export class InvalidAwsResponseError extends Error {
  constructor(operation: string, problem: string) {
    super(`${operation} answered with an unusable response: ${problem}`);
    this.name = 'InvalidResponse';
  }
}

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

  private async listRunningArns(signal: AbortSignal): Promise<string[]> {
    const { ecs, cluster, clock, observer } = this.options;
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
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

  private async describe(arns: string[], signal: AbortSignal): Promise<MeshTask[]> {
    const { ecs, cluster, clock, observer, partitionsEnabled } = this.options;
    const tasks = await observedCall(observer, clock, 'ecs', 'DescribeTasks', async () =>
      checkDescribed(
        arns,
        await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns, include: ['TAGS'] }), {
          abortSignal: signal,
        }),
      ),
    );
    return tasks.map((task) =>
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

/** The described tasks among `arns`, or an InvalidAwsResponseError if the answer leaves one out. */
function checkDescribed(arns: readonly string[], result: DescribeTasksCommandOutput): Task[] {
  const described = new Map<string, Task>();
  for (const task of result.tasks ?? []) {
    if (!task.taskArn || !task.taskDefinitionArn) {
      throw new InvalidAwsResponseError('DescribeTasks', 'a task has no taskArn or taskDefinitionArn');
    }
    described.set(task.taskArn, task);
  }
  const missing = new Set<string>();
  for (const failure of result.failures ?? []) {
    if (failure.reason === 'MISSING' && failure.arn) missing.add(failure.arn);
  }
  const unaccounted = arns.filter((arn) => !described.has(arn) && !missing.has(arn));
  if (unaccounted.length > 0) {
    throw new InvalidAwsResponseError(
      'DescribeTasks',
      `${unaccounted.length} of ${arns.length} tasks neither described nor reported MISSING`,
    );
  }
  return arns.flatMap((arn) => described.get(arn) ?? []);
}
