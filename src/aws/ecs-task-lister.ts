/**
 * EcsTaskLister: the list function of the ECS task informer.
 *
 * Invariants:
 * - One list is `ListTasks` (desiredStatus RUNNING, pages of 100, following `nextToken` to the
 *   end), then `DescribeTasks` (include TAGS, at most 100 ARNs a call) only for ARNs it has not
 *   described before: a task's tags and task definition never change, so they are cached by ARN.
 *   A task remembered provisionally (made from its task definition's tags by an event) is
 *   described at the next list all the same: its own tags may differ from the definition's.
 * - The cache keeps only ARNs seen in the latest list, plus tasks learnt from events since; a stop
 *   event forgets its task at once, so churn between lists does not pile up stopped tasks.
 * - A task that DescribeTasks reports MISSING (it stopped in between) is left out of the snapshot.
 * - A DescribeTasks answer that does not account for every ARN asked about (each must come back
 *   as a task with its taskArn and taskDefinitionArn, or as a MISSING failure) is an
 *   InvalidAwsResponseError, reported to the API observer with code "InvalidResponse": a garbled
 *   answer must never make a running task, and so its service's token, disappear. Nothing of
 *   such an answer is cached.
 * - Every field acted on is type-checked (the SDK does not): a wrong-typed field, or a ListTasks
 *   page whose nextToken repeats the previous one (which would loop forever), is an
 *   InvalidAwsResponseError too.
 * - Absent `taskArns` or `tags` lists read as empty: AWS JSON may omit empty lists.
 * - Any ListTasks or DescribeTasks error fails the whole list; the informer retries it.
 * - Its ClusterIdentity learns the cluster's exact ARN from the task ARNs and described tasks ECS
 *   returns for our cluster (never from anything else).
 * - Each described task is projected once (`project`, default: the EcsTaskFacts themselves) into
 *   the item the informer caches; the lister keeps no other copy of a task.
 */
import {
  DescribeTasksCommand,
  type DescribeTasksCommandOutput,
  ListTasksCommand,
  type ListTasksCommandOutput,
  type Task,
} from '@aws-sdk/client-ecs';

import { type ListResult } from '../cache/informer.js';
import { ClusterIdentity } from './cluster-identity.js';
import { type EcsReaderOptions } from './ecs-reader-options.js';
import { type EcsTaskFacts, type ListedTask } from './ecs-task-facts.js';
import { InvalidAwsResponseError, isOptionalString, isRecord } from './invalid-response.js';
import { observedCall } from './observed-call.js';

/** Its `limiter` is the bucket for ECS task reads (ListTasks, DescribeTasks). */
export interface EcsTaskListerOptions<T extends ListedTask = EcsTaskFacts> extends EcsReaderOptions {
  /**
   * Turns the facts of a described task into the cached item, once per task; it must keep the
   * facts' taskArn and version. Omitted, the facts are the item (T is EcsTaskFacts).
   */
  readonly project?: (facts: EcsTaskFacts) => T;
}

const PAGE = 100;

export class EcsTaskLister<T extends ListedTask = EcsTaskFacts> {
  /** The cluster's exact ARN, learnt from ECS's answers when the cluster was given by name. */
  readonly identity: ClusterIdentity;
  /** The projection of described tasks into cached items (see EcsTaskListerOptions.project). */
  readonly project: (facts: EcsTaskFacts) => T;
  private described = new Map<string, T>();
  /** Remembered from a task definition's tags, not described: the next list describes them. */
  private provisional = new Set<string>();

  constructor(private readonly options: EcsTaskListerOptions<T>) {
    this.identity = new ClusterIdentity(options.cluster);
    this.project = options.project ?? ((facts) => facts as unknown as T);
  }

  async list(signal: AbortSignal): Promise<ListResult<T>> {
    const arns = await this.listRunningArns(signal);
    const unknown = arns.filter((arn) => !this.described.has(arn) || this.provisional.has(arn));
    const fresh = new Map<string, T>();
    for (let i = 0; i < unknown.length; i += PAGE) {
      for (const task of await this.describe(unknown.slice(i, i + PAGE), signal))
        fresh.set(task.taskArn, task);
    }
    const next = new Map<string, T>();
    for (const arn of arns) {
      const task = fresh.get(arn) ?? this.described.get(arn);
      if (task) next.set(arn, task);
    }
    this.described = next;
    this.provisional = new Set([...this.provisional].filter((arn) => next.has(arn) && !fresh.has(arn)));
    return { items: [...next.values()] };
  }

  /** The cached description of a task, if it was described before. */
  known(taskArn: string): T | undefined {
    return this.described.get(taskArn);
  }

  /** Remembers a task learnt elsewhere (an event), so the next list does not describe it again. */
  remember(task: T): void {
    this.described.set(task.taskArn, task);
  }

  /**
   * Remembers a task made from its task definition's tags (an event carries none): the next list
   * describes it anyway, since a task may carry tags of its own (RunTask `tags`, or no propagation)
   * that the definition's do not show. Until then `known` returns it, so events do not redo it.
   */
  rememberProvisionally(task: T): void {
    this.described.set(task.taskArn, task);
    this.provisional.add(task.taskArn);
  }

  /** Forgets a task an event said stopped: a stopped task never comes back, so its description is dead weight. */
  forget(taskArn: string): void {
    this.described.delete(taskArn);
    this.provisional.delete(taskArn);
  }

  /** Describes tasks in batches of 100 and remembers them; MISSING tasks are left out. */
  async describeTasks(arns: readonly string[], signal: AbortSignal): Promise<T[]> {
    const tasks: T[] = [];
    for (let i = 0; i < arns.length; i += PAGE)
      tasks.push(...(await this.describe(arns.slice(i, i + PAGE), signal)));
    for (const task of tasks) {
      this.remember(task);
      this.provisional.delete(task.taskArn);
    }
    return tasks;
  }

  private async listRunningArns(signal: AbortSignal): Promise<string[]> {
    const { ecs, cluster, clock, observer } = this.options;
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      await this.options.limiter?.acquire(signal);
      const previous = nextToken;
      const page = await observedCall(observer, clock, 'ecs', 'ListTasks', async () =>
        checkListed(
          previous,
          await ecs.send(
            new ListTasksCommand({
              cluster,
              desiredStatus: 'RUNNING',
              maxResults: PAGE,
              nextToken: previous,
            }),
            { abortSignal: signal },
          ),
        ),
      );
      arns.push(...(page.taskArns ?? []));
      this.identity.learnFromTaskArns(page.taskArns ?? []);
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  private async describe(arns: readonly string[], signal: AbortSignal): Promise<T[]> {
    const { ecs, cluster, clock, observer } = this.options;
    await this.options.limiter?.acquire(signal);
    const tasks = await observedCall(observer, clock, 'ecs', 'DescribeTasks', async () =>
      checkDescribed(
        arns,
        await ecs.send(new DescribeTasksCommand({ cluster, tasks: [...arns], include: ['TAGS'] }), {
          abortSignal: signal,
        }),
      ),
    );
    for (const task of tasks) this.identity.learnFromClusterArn(task.clusterArn);
    return tasks.map((task) =>
      this.project({
        taskArn: task.taskArn as string,
        taskDefinitionArn: task.taskDefinitionArn as string,
        tags: task.tags ?? [],
        version: task.version ?? 0,
        group: task.group,
      }),
    );
  }
}

function checkListed(previous: string | undefined, page: ListTasksCommandOutput): ListTasksCommandOutput {
  const invalid = (problem: string) => new InvalidAwsResponseError('ListTasks', problem);
  const { taskArns, nextToken } = page as unknown as Record<string, unknown>;
  if (taskArns !== undefined && !isStringList(taskArns)) throw invalid('taskArns is not a list of ARNs');
  if (!isOptionalString(nextToken)) throw invalid('nextToken is not a string');
  if (nextToken !== undefined && nextToken !== '' && nextToken === previous) {
    throw invalid('nextToken repeats the previous one');
  }
  return page;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');
}

function isTag(value: unknown): boolean {
  return isRecord(value) && isOptionalString(value.key) && isOptionalString(value.value);
}

/** The described tasks among `arns`, or an InvalidAwsResponseError if the answer leaves one out. */
function checkDescribed(arns: readonly string[], result: DescribeTasksCommandOutput): Task[] {
  const invalid = (problem: string) => new InvalidAwsResponseError('DescribeTasks', problem);
  const { tasks, failures } = result as unknown as Record<string, unknown>;
  if (tasks !== undefined && !Array.isArray(tasks)) throw invalid('tasks is not a list');
  if (failures !== undefined && !Array.isArray(failures)) throw invalid('failures is not a list');
  const described = new Map<string, Task>();
  for (const task of (tasks ?? []) as unknown[]) {
    if (!isRecord(task)) throw invalid('a task is not an object');
    if (typeof task.taskArn !== 'string' || task.taskArn === '') throw invalid('a task has no taskArn');
    if (typeof task.taskDefinitionArn !== 'string' || task.taskDefinitionArn === '') {
      throw invalid('a task has no taskDefinitionArn');
    }
    if (task.tags !== undefined && !(Array.isArray(task.tags) && task.tags.every(isTag))) {
      throw invalid('a task has malformed tags');
    }
    if (task.version !== undefined && typeof task.version !== 'number')
      throw invalid('a task version is not a number');
    if (!isOptionalString(task.clusterArn)) throw invalid('a task clusterArn is not a string');
    if (!isOptionalString(task.group)) throw invalid('a task group is not a string');
    described.set(task.taskArn, task as Task);
  }
  const missing = new Set<string>();
  for (const failure of (failures ?? []) as unknown[]) {
    if (isRecord(failure) && failure.reason === 'MISSING' && typeof failure.arn === 'string')
      missing.add(failure.arn);
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
