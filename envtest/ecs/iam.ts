/**
 * EcsIam: the IAM requests each ECS operation needs, as the Service Authorization Reference
 * (Amazon ECS) documents them.
 *
 * Invariants:
 * - Every operation the emulator serves has an entry (checked by test/envtest/ecs/iam.spec.ts).
 * - Resources: ListTasks, ListServices, ListClusters and DescribeTaskDefinition have no
 *   resource-level permissions and authorize against `*` (ListTasks on a container instance is
 *   not emulated); DescribeTasks/StopTask against each task ARN, DescribeServices/CreateService/
 *   UpdateService/DeleteService against each service ARN, cluster calls against the cluster ARN,
 *   RunTask against the task definition ARN, tagging calls against `resourceArn`.
 * - `ecs:cluster` (the cluster ARN, `default` when the call names none) is in the context of
 *   every call scoped to a cluster; tag keys as `request-context.ts` says.
 * - Builds requests from the input alone (and read-only state lookups): it changes nothing.
 */
import { type JsonObject } from '../aws/input.js';
import { type CallAuthorization } from '../aws/iam/authorizer.js';
import { type RequestContext } from '../aws/iam/conditions.js';
import {
  requestTagContext,
  resourceTagContext,
  stringField,
  stringsField,
  tagKeysContext,
  tagList,
} from '../aws/iam/request-context.js';
import { clusterNameOf, lastSegmentOf, parseEcsArn } from './arns.js';
import { type Tag } from './model.js';
import { type EcsState } from './state.js';

type Authorize = (input: JsonObject) => CallAuthorization[];

export function ecsAuthorization(state: EcsState): Readonly<Record<string, Authorize>> {
  const arns = state.arns;
  const clusterNameIn = (input: JsonObject) => clusterNameOf(stringField(input, 'cluster') ?? 'default');
  const clusterContext = (name: string): RequestContext => ({ 'ecs:cluster': arns.cluster(name) });
  const tagsOf = (tags: readonly Tag[] | undefined) => resourceTagContext(tags ?? []);
  const sentTags = (input: JsonObject) => requestTagContext(tagList(input, 'tags', 'key', 'value'));
  const taskDefinitionArn = (reference: string) =>
    state.findTaskDefinition(reference)?.arn ??
    (reference.startsWith('arn:') ? reference : arns.taskDefinitionReference(reference));

  const one = (action: string, resource: string, context: RequestContext = {}): CallAuthorization[] => [
    { action: `ecs:${action}`, resource, context },
  ];

  const serviceCall = (action: string) => (input: JsonObject) => {
    const clusterName = clusterNameIn(input);
    const cluster = state.findCluster(clusterName);
    const reference = stringField(input, 'service') ?? '';
    const service = cluster ? state.findService(cluster, reference) : undefined;
    return one(action, service?.arn ?? arns.service(clusterName, lastSegmentOf(reference)), {
      ...clusterContext(clusterName),
      ...tagsOf(service?.tags),
    });
  };

  return {
    CreateCluster: (input) => {
      const name = stringField(input, 'clusterName') ?? 'default';
      return one('CreateCluster', arns.cluster(name), sentTags(input));
    },
    ListClusters: () => one('ListClusters', '*'),
    DescribeClusters: (input) => {
      const references = input.clusters === undefined ? ['default'] : stringsField(input, 'clusters');
      return references.flatMap((reference) => {
        const name = clusterNameOf(reference);
        return one('DescribeClusters', arns.cluster(name), tagsOf(state.findCluster(name)?.tags));
      });
    },
    RegisterTaskDefinition: (input) => {
      const family = stringField(input, 'family') ?? '';
      let revision = 1;
      for (const existing of state.taskDefinitions.values()) {
        if (existing.family === family) revision = Math.max(revision, existing.revision + 1);
      }
      return one('RegisterTaskDefinition', arns.taskDefinition(family, revision), sentTags(input));
    },
    DescribeTaskDefinition: () => one('DescribeTaskDefinition', '*'),
    CreateService: (input) => {
      const clusterName = clusterNameIn(input);
      const taskDefinition = stringField(input, 'taskDefinition');
      return one('CreateService', arns.service(clusterName, stringField(input, 'serviceName') ?? ''), {
        ...clusterContext(clusterName),
        ...sentTags(input),
        ...(taskDefinition !== undefined ? { 'ecs:task-definition': taskDefinitionArn(taskDefinition) } : {}),
      });
    },
    UpdateService: serviceCall('UpdateService'),
    DeleteService: serviceCall('DeleteService'),
    DescribeServices: (input) => {
      const clusterName = clusterNameIn(input);
      const cluster = state.findCluster(clusterName);
      return stringsField(input, 'services').flatMap((reference) => {
        const service = cluster ? state.findService(cluster, reference) : undefined;
        return one('DescribeServices', service?.arn ?? arns.service(clusterName, lastSegmentOf(reference)), {
          ...clusterContext(clusterName),
          ...tagsOf(service?.tags),
        });
      });
    },
    ListServices: (input) => one('ListServices', '*', clusterContext(clusterNameIn(input))),
    RunTask: (input) => {
      const clusterName = clusterNameIn(input);
      return one('RunTask', taskDefinitionArn(stringField(input, 'taskDefinition') ?? ''), {
        ...clusterContext(clusterName),
        ...sentTags(input),
      });
    },
    StopTask: (input) =>
      taskCalls(state, 'StopTask', clusterNameIn(input), [stringField(input, 'task') ?? '']),
    ListTasks: (input) => one('ListTasks', '*', clusterContext(clusterNameIn(input))),
    DescribeTasks: (input) =>
      taskCalls(state, 'DescribeTasks', clusterNameIn(input), stringsField(input, 'tasks')),
    TagResource: (input) => {
      const resourceArn = stringField(input, 'resourceArn') ?? '';
      return one('TagResource', resourceArn, { ...taggableContext(state, resourceArn), ...sentTags(input) });
    },
    UntagResource: (input) => {
      const resourceArn = stringField(input, 'resourceArn') ?? '';
      return one('UntagResource', resourceArn, {
        ...taggableContext(state, resourceArn),
        ...tagKeysContext(stringsField(input, 'tagKeys')),
      });
    },
    ListTagsForResource: (input) => {
      const resourceArn = stringField(input, 'resourceArn') ?? '';
      return one('ListTagsForResource', resourceArn, taggableContext(state, resourceArn));
    },
  };
}

function taskCalls(
  state: EcsState,
  action: string,
  clusterName: string,
  references: readonly string[],
): CallAuthorization[] {
  const cluster = state.findCluster(clusterName);
  return references.map((reference) => {
    const task = cluster ? state.findTask(cluster, reference) : undefined;
    const resource =
      task?.arn ?? (reference.startsWith('arn:') ? reference : state.arns.task(clusterName, reference));
    return {
      action: `ecs:${action}`,
      resource,
      context: { 'ecs:cluster': state.arns.cluster(clusterName), ...resourceTagContext(task?.tags ?? []) },
    };
  });
}

/** `ecs:cluster` and the resource's tags, for a tagging call on an ECS ARN (never throws). */
function taggableContext(state: EcsState, resourceArn: string): RequestContext {
  const parsed = parseEcsArn(resourceArn);
  if (parsed === undefined) return {};
  const context: Record<string, string> = {};
  if (['cluster', 'service', 'task'].includes(parsed.resourceType) && parsed.parts.length > 0) {
    context['ecs:cluster'] = state.arns.cluster(parsed.parts[0] as string);
  }
  let tags: readonly Tag[];
  try {
    tags = state.findTaggable(resourceArn)?.tags ?? [];
  } catch {
    tags = [];
  }
  return { ...context, ...resourceTagContext(tags) };
}
