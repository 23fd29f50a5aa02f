/**
 * EcsShapes: renders model records as the JSON objects the ECS API returns.
 *
 * Invariants:
 * - Field names and nesting are those of the ECS API (`Task`, `Service`, `Cluster`,
 *   `TaskDefinition`); timestamps are epoch seconds, as the AWS JSON 1.1 protocol sends them.
 * - Optional fields that have no value are omitted, never sent as null.
 * - Tags are included only when the caller asked for them (`include: ["TAGS"]`).
 * - Output objects are fresh; callers cannot reach the model through them.
 */
import { epochSeconds } from '../aws/ids.js';
import { type Cluster, type Service, type Tag, type Task, type TaskDefinition } from './model.js';
import { type EcsState } from './state.js';
import { copyTags } from './tags.js';

type Shape = Record<string, unknown>;

function withTags(shape: Shape, tags: readonly Tag[], includeTags: boolean): Shape {
  return includeTags ? { ...shape, tags: copyTags(tags) } : shape;
}

function optionalTime(name: string, ms: number | undefined): Shape {
  return ms === undefined ? {} : { [name]: epochSeconds(ms) };
}

export function clusterShape(state: EcsState, cluster: Cluster, includeTags: boolean): Shape {
  const tasks = [...state.tasks.values()].filter((task) => task.clusterArn === cluster.arn);
  return withTags(
    {
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      status: cluster.status,
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((task) => task.lastStatus === 'RUNNING').length,
      pendingTasksCount: tasks.filter(
        (task) => task.lastStatus === 'PROVISIONING' || task.lastStatus === 'PENDING',
      ).length,
      activeServicesCount: state.services.filter((s) => s.clusterArn === cluster.arn && s.status === 'ACTIVE')
        .length,
      statistics: [],
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
    },
    cluster.tags,
    includeTags,
  );
}

export function taskDefinitionShape(taskDefinition: TaskDefinition): Shape {
  return {
    ...structuredClone(taskDefinition.definition),
    taskDefinitionArn: taskDefinition.arn,
    family: taskDefinition.family,
    revision: taskDefinition.revision,
    status: taskDefinition.status,
    containerDefinitions: structuredClone(taskDefinition.containerDefinitions),
    registeredAt: epochSeconds(taskDefinition.registeredAt),
  };
}

export function serviceShape(state: EcsState, service: Service, includeTags: boolean): Shape {
  const tasks = [...state.tasks.values()].filter(
    (task) => task.clusterArn === service.clusterArn && task.serviceName === service.name,
  );
  const runningCount = tasks.filter((task) => task.lastStatus === 'RUNNING').length;
  const pendingCount = tasks.filter(
    (task) => task.lastStatus === 'PROVISIONING' || task.lastStatus === 'PENDING',
  ).length;
  return withTags(
    {
      serviceArn: service.arn,
      serviceName: service.name,
      clusterArn: service.clusterArn,
      status: service.status,
      desiredCount: service.desiredCount,
      runningCount,
      pendingCount,
      launchType: service.launchType,
      taskDefinition: service.taskDefinitionArn,
      deployments: [
        {
          id: service.deploymentId,
          status: 'PRIMARY',
          taskDefinition: service.taskDefinitionArn,
          desiredCount: service.desiredCount,
          pendingCount,
          runningCount,
          launchType: service.launchType,
          createdAt: epochSeconds(service.createdAt),
          updatedAt: epochSeconds(service.updatedAt),
        },
      ],
      events: [],
      createdAt: epochSeconds(service.createdAt),
      schedulingStrategy: 'REPLICA',
      propagateTags: service.propagateTags,
      enableECSManagedTags: service.enableECSManagedTags,
    },
    service.tags,
    includeTags,
  );
}

export function taskShape(task: Task, includeTags: boolean): Shape {
  return withTags(
    {
      taskArn: task.arn,
      clusterArn: task.clusterArn,
      taskDefinitionArn: task.taskDefinitionArn,
      group: task.group,
      ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
      launchType: task.launchType,
      ...(task.cpu !== undefined ? { cpu: task.cpu } : {}),
      ...(task.memory !== undefined ? { memory: task.memory } : {}),
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      version: task.version,
      healthStatus: 'UNKNOWN',
      createdAt: epochSeconds(task.createdAt),
      ...optionalTime('pullStartedAt', task.pullStartedAt),
      ...optionalTime('pullStoppedAt', task.pullStoppedAt),
      ...optionalTime('startedAt', task.startedAt),
      ...optionalTime('stoppingAt', task.stoppingAt),
      ...optionalTime('stoppedAt', task.stoppedAt),
      ...optionalTime('executionStoppedAt', task.stoppedAt),
      ...(task.stoppedReason !== undefined ? { stoppedReason: task.stoppedReason } : {}),
      ...(task.stopCode !== undefined ? { stopCode: task.stopCode } : {}),
      containers: task.containers.map((container) => ({
        containerArn: container.arn,
        taskArn: task.arn,
        name: container.name,
        image: container.image,
        lastStatus: container.lastStatus,
        networkBindings: [],
        networkInterfaces: [],
        healthStatus: 'UNKNOWN',
      })),
      overrides: {
        containerOverrides: task.containers.map((container) => ({ name: container.name })),
        inferenceAcceleratorOverrides: [],
      },
      attachments: [],
    },
    task.tags,
    includeTags,
  );
}

export function includesTags(include: readonly string[] | undefined): boolean {
  return include?.includes('TAGS') ?? false;
}
