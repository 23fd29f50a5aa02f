/**
 * Task operations: RunTask, StopTask, ListTasks, DescribeTasks.
 *
 * Invariants:
 * - ListTasks filters by desiredStatus, RUNNING by default (as AWS); PENDING matches nothing.
 *   It pages at most 100 (default 100) task ARNs, in creation order.
 * - DescribeTasks takes 1..100 task ARNs or ids; unknown ones come back as MISSING failures.
 * - StopTask on an unknown task is InvalidParameterException; on a stopped task it changes nothing.
 * - Stopping a service's task makes the service scheduler start a replacement.
 */
import { type InputReader } from '../../aws/input.js';
import { type OperationHandler } from '../../aws/json-protocol.js';
import { invalidParameter, serviceNotFound } from '../errors.js';
import { type PropagateTags } from '../model.js';
import { includesTags, taskShape } from '../shapes.js';
import { type EcsState } from '../state.js';
import { checkUserTags, readTags } from '../tags.js';
import { maxResultsOf, page, reader, withNextToken } from './common.js';

const MAX_DESCRIBE_TASKS = 100;
const MAX_RUN_TASK_COUNT = 10;

function countOf(request: InputReader): number {
  const count = request.number('count') ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_RUN_TASK_COUNT) {
    throw invalidParameter(`count must be between 1 and ${MAX_RUN_TASK_COUNT}.`);
  }
  return count;
}

function runTaskPropagateTagsOf(request: InputReader): PropagateTags {
  const value = request.string('propagateTags') ?? 'NONE';
  if (value === 'SERVICE') {
    throw invalidParameter('The SERVICE option of propagateTags is not supported when running a task.');
  }
  if (value !== 'TASK_DEFINITION' && value !== 'NONE') {
    throw invalidParameter(`Invalid propagateTags value: ${value}.`);
  }
  return value;
}

export function taskOperations(state: EcsState): Record<string, OperationHandler> {
  return {
    RunTask: (input) => {
      const request = reader(input);
      const cluster = state.requireCluster(request.string('cluster'));
      const taskDefinition = state.requireTaskDefinition(request.requiredString('taskDefinition'));
      const startedBy = request.string('startedBy');
      if (startedBy !== undefined && startedBy.length > 128) {
        throw invalidParameter('startedBy must be at most 128 characters.');
      }
      const group = request.string('group');
      const clientToken = request.string('clientToken');
      const tags = readTags(request.objects('tags'));
      checkUserTags(tags);
      const tasks = state.launchTasks({
        cluster,
        taskDefinition,
        count: countOf(request),
        launchType: request.string('launchType') ?? 'FARGATE',
        ...(group !== undefined ? { group } : {}),
        ...(startedBy !== undefined ? { startedBy } : {}),
        tags,
        propagateTags: runTaskPropagateTagsOf(request),
        ...(clientToken !== undefined ? { clientToken } : {}),
      });
      return { tasks: tasks.map((task) => taskShape(task, true)), failures: [] };
    },

    StopTask: (input) => {
      const request = reader(input);
      const cluster = state.requireCluster(request.string('cluster'));
      const task = state.findTask(cluster, request.requiredString('task'));
      if (!task) throw invalidParameter('The referenced task was not found.');
      state.stopTaskAndReplace(task, request.string('reason') ?? 'Task stopped by user', 'UserInitiated');
      return { task: taskShape(task, true) };
    },

    ListTasks: (input) => {
      const request = reader(input);
      const cluster = state.requireCluster(request.string('cluster'));
      const family = request.string('family');
      const serviceName = request.string('serviceName');
      const startedBy = request.string('startedBy');
      const launchType = request.string('launchType');
      const desiredStatus = request.string('desiredStatus') ?? 'RUNNING';
      if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desiredStatus)) {
        throw invalidParameter(`Invalid desiredStatus: ${desiredStatus}.`);
      }
      if (serviceName !== undefined && !state.findService(cluster, serviceName)) throw serviceNotFound();
      const matching = [...state.tasks.values()].filter(
        (task) =>
          task.clusterArn === cluster.arn &&
          task.desiredStatus === desiredStatus &&
          (family === undefined || task.family === family) &&
          (serviceName === undefined || task.group === `service:${serviceName}`) &&
          (startedBy === undefined || task.startedBy === startedBy) &&
          (launchType === undefined || task.launchType === launchType),
      );
      const { items, nextToken } = page(
        matching,
        maxResultsOf(request, 100, 100),
        request.string('nextToken'),
      );
      return withNextToken({ taskArns: items.map((task) => task.arn) }, nextToken);
    },

    DescribeTasks: (input) => {
      const request = reader(input);
      const cluster = state.requireCluster(request.string('cluster'));
      const references = request.strings('tasks') ?? [];
      if (references.length === 0) throw invalidParameter('Tasks cannot be empty.');
      if (references.length > MAX_DESCRIBE_TASKS) {
        throw invalidParameter(`Tasks cannot contain more than ${MAX_DESCRIBE_TASKS} elements.`);
      }
      const includeTags = includesTags(request.strings('include'));
      const tasks = [];
      const failures = [];
      for (const reference of references) {
        const task = state.findTask(cluster, reference);
        if (task) tasks.push(taskShape(task, includeTags));
        else {
          const arn = reference.startsWith('arn:') ? reference : state.arns.task(cluster.name, reference);
          failures.push({ arn, reason: 'MISSING' });
        }
      }
      return { tasks, failures };
    },
  };
}
