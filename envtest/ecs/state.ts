/**
 * EcsState: the in-memory ECS control plane behind the emulator (clusters, task definitions,
 * services, tasks) plus the ordered task change log.
 *
 * Invariants:
 * - All time comes from the injected Clock and all ids from the injected Random.
 * - Records are never deleted: stopped tasks stay listable with desiredStatus STOPPED, deleted
 *   services stay describable as INACTIVE, deregistered revisions keep their ARN.
 * - Every task change (creation included) is appended to `taskChanges` in the order it happened,
 *   with the task's version after the change, and then passed to every `onTaskChange` listener.
 * - Every deployment start (CreateService; UpdateService to another task definition) is passed
 *   to every `onServiceDeployment` listener before the scheduler starts its tasks.
 * - RunTask with a client token already used in the cluster returns the tasks of the first call;
 *   CreateService repeating an ACTIVE service's parameters returns that service (SDK retries).
 * - Services are reconciled synchronously after every change to their desired state, so the count
 *   of their tasks with desiredStatus RUNNING equals desiredCount once a call returns (unless the
 *   service's launches are throttled after failures, see below).
 * - With a secret resolver, a task's `secrets` are read at the end of PENDING; a failure stops it
 *   with stopCode TaskFailedToStart. Every start's outcome is appended to `launchAttempts`.
 * - A service whose task failed to start waits `initialDelayMs · 2^(n-1)` (capped at `maxDelayMs`,
 *   n = failed launches in a row) on the clock before launching a replacement; a task reaching
 *   RUNNING, or a new task definition, resets the throttle.
 */
import { type Clock, type Random } from '../../src/time/clock.js';
import { randomChars, randomHex, randomUuid } from '../aws/ids.js';
import { clusterNameOf, EcsArns, lastSegmentOf, parseEcsArn } from './arns.js';
import { clusterNotFound, invalidParameter } from './errors.js';
import {
  type Cluster,
  type EcsTimings,
  type LaunchAttempt,
  type ServiceLaunchRetry,
  type JsonValue,
  type PropagateTags,
  type Service,
  type Tag,
  type Task,
  type TaskChange,
  type TaskDefinition,
} from './model.js';
import { type LaunchRequest, reconcileService } from './service-scheduler.js';
import { copyTags, mergeTags } from './tags.js';
import { TaskLifecycle } from './task-lifecycle.js';
import { type SecretResolver, secretsFailure, TASK_FAILED_TO_START } from './task-secrets.js';

export interface EcsStateOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly region: string;
  readonly accountId: string;
  readonly timings: EcsTimings;
  /** Delete a task's tags when it reaches STOPPED, as the StopTask documentation says AWS does. */
  readonly clearTagsOnStop?: boolean;
  /** Reads task definitions' `secrets` at task start; without it secrets are not checked. */
  readonly secrets?: SecretResolver;
  /** Service scheduler retry gaps after failed launches (defaults: 10 s, doubling, 27 min cap). */
  readonly serviceLaunchRetry?: ServiceLaunchRetry;
}

export const DEFAULT_SERVICE_LAUNCH_RETRY: ServiceLaunchRetry = {
  initialDelayMs: 10_000,
  maxDelayMs: 27 * 60_000,
};

export type TaskChangeListener = (change: TaskChange) => void;

/** A service deployment began (CreateService, or UpdateService to a new task definition), at `at`. */
export type ServiceDeploymentListener = (service: Service, at: number) => void;

export interface NewService {
  readonly cluster: Cluster;
  readonly name: string;
  readonly taskDefinition: TaskDefinition;
  readonly desiredCount: number;
  readonly launchType: string;
  readonly propagateTags: PropagateTags;
  readonly enableECSManagedTags: boolean;
  readonly tags: readonly Tag[];
}

export class EcsState {
  readonly arns: EcsArns;
  readonly clock: Clock;
  readonly clusters = new Map<string, Cluster>();
  readonly taskDefinitions = new Map<string, TaskDefinition>();
  /** Every service ever created, oldest first (a name may repeat once the old one is INACTIVE). */
  readonly services: Service[] = [];
  readonly tasks = new Map<string, Task>();
  private readonly random: Random;
  private readonly changes: TaskChange[] = [];
  private readonly deploymentListeners = new Set<ServiceDeploymentListener>();
  private readonly listeners = new Set<TaskChangeListener>();
  private readonly lifecycle: TaskLifecycle;
  private readonly launchesByToken = new Map<string, Task[]>();
  private readonly attempts: LaunchAttempt[] = [];
  private readonly retryTimers = new Map<Service, () => void>();
  private readonly secrets: SecretResolver | undefined;
  private readonly launchRetry: ServiceLaunchRetry;
  private nextSeq = 1;

  constructor(options: EcsStateOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.secrets = options.secrets;
    this.launchRetry = options.serviceLaunchRetry ?? DEFAULT_SERVICE_LAUNCH_RETRY;
    this.arns = new EcsArns(options.region, options.accountId);
    this.lifecycle = new TaskLifecycle(
      options.clock,
      options.timings,
      (task) => this.recordChange(task),
      options.clearTagsOnStop ?? false,
      (task) => this.beforeRunning(task),
    );
  }

  /** Every task start's outcome (RUNNING or FAILED), in the order they were decided. */
  get launchAttempts(): readonly LaunchAttempt[] {
    return this.attempts;
  }

  /** The launch attempts of one service's tasks, oldest first. */
  launchAttemptsOf(serviceName: string): LaunchAttempt[] {
    return this.attempts.filter((attempt) => attempt.serviceName === serviceName);
  }

  /** The ordered log of task changes: task ARN, version and statuses after each change. */
  get taskChanges(): readonly TaskChange[] {
    return this.changes;
  }

  /** Calls `listener` for every later service deployment start; returns the unsubscribe function. */
  onServiceDeployment(listener: ServiceDeploymentListener): () => void {
    this.deploymentListeners.add(listener);
    return () => this.deploymentListeners.delete(listener);
  }

  /** Calls `listener` for every later task change; returns the unsubscribe function. */
  onTaskChange(listener: TaskChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of tasks with a lifecycle step still scheduled on the clock. */
  get pendingTransitions(): number {
    return this.lifecycle.pending;
  }

  dispose(): void {
    for (const cancel of this.retryTimers.values()) cancel();
    this.retryTimers.clear();
    this.lifecycle.dispose();
    this.listeners.clear();
  }

  // Clusters

  createCluster(name: string, tags: readonly Tag[]): Cluster {
    const existing = this.clusters.get(name);
    if (existing && existing.status === 'ACTIVE') return existing;
    const cluster: Cluster = {
      seq: this.seq(),
      arn: this.arns.cluster(name),
      name,
      status: 'ACTIVE',
      tags: [...tags],
    };
    this.clusters.set(name, cluster);
    return cluster;
  }

  findCluster(reference: string): Cluster | undefined {
    const cluster = this.clusters.get(clusterNameOf(reference));
    return cluster?.status === 'ACTIVE' ? cluster : undefined;
  }

  /** The ACTIVE cluster a request names (`default` when it names none). */
  requireCluster(reference: string | undefined): Cluster {
    const cluster = this.findCluster(reference ?? 'default');
    if (!cluster) throw clusterNotFound();
    return cluster;
  }

  // Task definitions

  registerTaskDefinition(
    family: string,
    definition: Record<string, JsonValue>,
    containerDefinitions: ReadonlyArray<Record<string, JsonValue>>,
    tags: readonly Tag[],
  ): TaskDefinition {
    let revision = 1;
    for (const existing of this.taskDefinitions.values()) {
      if (existing.family === family) revision = Math.max(revision, existing.revision + 1);
    }
    const taskDefinition: TaskDefinition = {
      seq: this.seq(),
      arn: this.arns.taskDefinition(family, revision),
      family,
      revision,
      status: 'ACTIVE',
      definition,
      containerDefinitions,
      registeredAt: this.clock.now(),
      tags: [...tags],
    };
    this.taskDefinitions.set(taskDefinition.arn, taskDefinition);
    return taskDefinition;
  }

  /** A task definition by `family` (latest ACTIVE revision), `family:revision`, or ARN. */
  findTaskDefinition(reference: string): TaskDefinition | undefined {
    const name = reference.startsWith('arn:') ? lastSegmentOf(reference) : reference;
    const [family, revisionText] = name.split(':');
    if (revisionText !== undefined) {
      return this.taskDefinitions.get(this.arns.taskDefinition(family ?? '', Number(revisionText)));
    }
    let latest: TaskDefinition | undefined;
    for (const candidate of this.taskDefinitions.values()) {
      if (candidate.family !== family || candidate.status !== 'ACTIVE') continue;
      if (!latest || candidate.revision > latest.revision) latest = candidate;
    }
    return latest;
  }

  requireTaskDefinition(reference: string): TaskDefinition {
    const found = this.findTaskDefinition(reference);
    if (!found) throw invalidParameter('TaskDefinition not found.');
    return found;
  }

  // Services

  /** The newest service of that name (or ARN) in the cluster, ACTIVE or DRAINING before INACTIVE. */
  findService(cluster: Cluster, reference: string): Service | undefined {
    const name = lastSegmentOf(reference);
    const candidates = this.services.filter((s) => s.clusterArn === cluster.arn && s.name === name);
    return candidates.reverse().find((s) => s.status !== 'INACTIVE') ?? candidates[0];
  }

  createService(request: NewService): Service {
    const existing = this.findService(request.cluster, request.name);
    if (existing && existing.status !== 'INACTIVE') {
      const same =
        existing.status === 'ACTIVE' &&
        existing.taskDefinitionArn === request.taskDefinition.arn &&
        existing.desiredCount === request.desiredCount &&
        existing.launchType === request.launchType;
      if (same) return existing;
      throw invalidParameter('Creation of service was not idempotent.');
    }
    const now = this.clock.now();
    const service: Service = {
      seq: this.seq(),
      arn: this.arns.service(request.cluster.name, request.name),
      name: request.name,
      clusterArn: request.cluster.arn,
      clusterName: request.cluster.name,
      status: 'ACTIVE',
      desiredCount: request.desiredCount,
      taskDefinitionArn: request.taskDefinition.arn,
      launchType: request.launchType,
      propagateTags: request.propagateTags,
      enableECSManagedTags: request.enableECSManagedTags,
      deploymentId: this.newDeploymentId(),
      createdAt: now,
      updatedAt: now,
      tags: [...request.tags],
      consecutiveFailedLaunches: 0,
    };
    this.services.push(service);
    for (const listener of this.deploymentListeners) listener(service, now);
    reconcileService(this, service);
    return service;
  }

  updateService(service: Service, change: { desiredCount?: number; taskDefinition?: TaskDefinition }): void {
    if (change.desiredCount !== undefined) service.desiredCount = change.desiredCount;
    if (change.taskDefinition !== undefined && change.taskDefinition.arn !== service.taskDefinitionArn) {
      service.taskDefinitionArn = change.taskDefinition.arn;
      service.deploymentId = this.newDeploymentId();
      this.resetLaunchThrottle(service);
      for (const listener of this.deploymentListeners) listener(service, this.clock.now());
    }
    service.updatedAt = this.clock.now();
    reconcileService(this, service);
  }

  deleteService(service: Service): void {
    service.status = 'DRAINING';
    service.desiredCount = 0;
    service.updatedAt = this.clock.now();
    reconcileService(this, service);
    this.retireDrainedService(service);
  }

  /** Tasks of a service that ECS still wants running. */
  liveTasksOf(service: Service): Task[] {
    return [...this.tasks.values()].filter(
      (task) =>
        task.clusterArn === service.clusterArn &&
        task.serviceName === service.name &&
        task.desiredStatus === 'RUNNING',
    );
  }

  // Tasks

  launchTasks(request: LaunchRequest): Task[] {
    const tokenKey =
      request.clientToken !== undefined ? `${request.cluster.arn} ${request.clientToken}` : undefined;
    const earlier = tokenKey !== undefined ? this.launchesByToken.get(tokenKey) : undefined;
    if (earlier) return earlier;
    const launched: Task[] = [];
    for (let i = 0; i < request.count; i += 1) {
      const task = this.newTask(request);
      this.tasks.set(task.arn, task);
      launched.push(task);
      this.lifecycle.start(task);
    }
    if (tokenKey !== undefined) this.launchesByToken.set(tokenKey, launched);
    return launched;
  }

  /** Tells one task to stop; its service (if any) is not reconciled. */
  stopTask(task: Task, reason: string, stopCode: string): void {
    this.lifecycle.stop(task, reason, stopCode);
  }

  /** Stops a task and lets its service, if it has one, start a replacement (as StopTask does). */
  stopTaskAndReplace(task: Task, reason: string, stopCode: string): void {
    this.stopTask(task, reason, stopCode);
    if (task.serviceName === undefined) return;
    const cluster = this.clusters.get(task.clusterName);
    const service = cluster ? this.findService(cluster, task.serviceName) : undefined;
    if (service) reconcileService(this, service);
  }

  /**
   * Test helper: a task stops on its own (say its essential container exited), as if ECS saw it
   * happen. Returns false when no task has that ARN or it was already told to stop.
   */
  terminateTask(
    taskArn: string,
    reason = 'Essential container in task exited',
    stopCode = 'EssentialContainerExited',
  ): boolean {
    const task = this.tasks.get(taskArn);
    if (!task || task.desiredStatus === 'STOPPED') return false;
    this.stopTaskAndReplace(task, reason, stopCode);
    return true;
  }

  /** A task of the cluster by ARN or id. */
  findTask(cluster: Cluster, reference: string): Task | undefined {
    if (reference.startsWith('arn:')) {
      const task = this.tasks.get(reference);
      return task?.clusterArn === cluster.arn ? task : undefined;
    }
    return this.tasks.get(this.arns.task(cluster.name, reference));
  }

  /** The tag list holder an ECS ARN names, if it exists. */
  findTaggable(resourceArn: string): { tags: Tag[]; lastStatus?: string } | undefined {
    const parsed = parseEcsArn(resourceArn);
    if (!parsed) throw invalidParameter('The ARN provided is invalid.');
    switch (parsed.resourceType) {
      case 'cluster':
        return this.findCluster(parsed.parts[0] ?? '');
      case 'task-definition':
        return this.taskDefinitions.get(resourceArn);
      case 'service': {
        const cluster = parsed.parts.length > 1 ? this.findCluster(parsed.parts[0] ?? '') : undefined;
        return cluster ? this.findService(cluster, parsed.parts[parsed.parts.length - 1] ?? '') : undefined;
      }
      case 'task':
        return this.tasks.get(resourceArn);
      default:
        throw invalidParameter('The ARN provided is invalid.');
    }
  }

  /** At the end of PENDING: reads the task's secrets; false (task stopped) when one fails. */
  private beforeRunning(task: Task): boolean {
    const taskDefinition = this.taskDefinitions.get(task.taskDefinitionArn);
    const failure = this.secrets && taskDefinition ? secretsFailure(taskDefinition, this.secrets) : undefined;
    const service = this.serviceOf(task);
    this.attempts.push({
      taskArn: task.arn,
      group: task.group,
      ...(task.serviceName !== undefined ? { serviceName: task.serviceName } : {}),
      createdAt: task.createdAt,
      at: this.clock.now(),
      outcome: failure === undefined ? 'RUNNING' : 'FAILED',
      ...(failure !== undefined ? { stoppedReason: failure } : {}),
    });
    if (failure === undefined) {
      if (service) this.resetLaunchThrottle(service);
      return true;
    }
    this.lifecycle.stop(task, failure, TASK_FAILED_TO_START);
    if (service) this.throttleLaunches(service);
    return false;
  }

  private serviceOf(task: Task): Service | undefined {
    if (task.serviceName === undefined) return undefined;
    const cluster = this.clusters.get(task.clusterName);
    return cluster ? this.findService(cluster, task.serviceName) : undefined;
  }

  private throttleLaunches(service: Service): void {
    service.consecutiveFailedLaunches += 1;
    const { initialDelayMs, maxDelayMs } = this.launchRetry;
    const exponent = Math.min(service.consecutiveFailedLaunches - 1, 30);
    const delayMs = Math.min(initialDelayMs * 2 ** exponent, maxDelayMs);
    const until = this.clock.now() + delayMs;
    service.launchBlockedUntil = Math.max(service.launchBlockedUntil ?? 0, until);
    this.retryTimers.get(service)?.();
    const cancel = this.clock.setTimer((service.launchBlockedUntil ?? until) - this.clock.now(), () => {
      this.retryTimers.delete(service);
      reconcileService(this, service);
    });
    this.retryTimers.set(service, cancel);
  }

  private resetLaunchThrottle(service: Service): void {
    service.consecutiveFailedLaunches = 0;
    delete service.launchBlockedUntil;
    this.retryTimers.get(service)?.();
    this.retryTimers.delete(service);
  }

  private newTask(request: LaunchRequest): Task {
    const id = randomHex(this.random, 32);
    const { cluster, taskDefinition, service } = request;
    const now = this.clock.now();
    const arn = this.arns.task(cluster.name, id);
    return {
      seq: this.seq(),
      arn,
      id,
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      taskDefinitionArn: taskDefinition.arn,
      family: taskDefinition.family,
      group: request.group ?? `family:${taskDefinition.family}`,
      ...(request.startedBy !== undefined ? { startedBy: request.startedBy } : {}),
      ...(service ? { serviceName: service.name } : {}),
      launchType: request.launchType,
      ...sizeOf(taskDefinition),
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      version: 1,
      tags: this.taskTags(request),
      containers: taskDefinition.containerDefinitions.map((definition) => ({
        arn: this.arns.container(cluster.name, id, randomUuid(this.random)),
        name: String(definition.name ?? ''),
        image: String(definition.image ?? ''),
        lastStatus: 'PROVISIONING',
      })),
      createdAt: now,
    };
  }

  private taskTags(request: LaunchRequest): Tag[] {
    let tags: Tag[] = [];
    if (request.propagateTags === 'TASK_DEFINITION') tags = copyTags(request.taskDefinition.tags);
    if (request.propagateTags === 'SERVICE' && request.service) tags = copyTags(request.service.tags);
    if (request.service?.enableECSManagedTags) {
      tags = mergeTags(tags, [
        { key: 'aws:ecs:clusterName', value: request.cluster.name },
        { key: 'aws:ecs:serviceName', value: request.service.name },
      ]);
    }
    return mergeTags(tags, request.tags);
  }

  private recordChange(task: Task): void {
    const change: TaskChange = {
      taskArn: task.arn,
      clusterArn: task.clusterArn,
      taskDefinitionArn: task.taskDefinitionArn,
      group: task.group,
      ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
      version: task.version,
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      ...(task.stoppedReason !== undefined ? { stoppedReason: task.stoppedReason } : {}),
      ...(task.stopCode !== undefined ? { stopCode: task.stopCode } : {}),
      at: this.clock.now(),
    };
    this.changes.push(change);
    for (const listener of [...this.listeners]) listener(change);
    if (task.lastStatus === 'STOPPED' && task.serviceName !== undefined) {
      const cluster = this.clusters.get(task.clusterName);
      const service = cluster ? this.findService(cluster, task.serviceName) : undefined;
      if (service) this.retireDrainedService(service);
    }
  }

  /** A DRAINING service becomes INACTIVE once none of its tasks is left unstopped. */
  private retireDrainedService(service: Service): void {
    if (service.status !== 'DRAINING') return;
    const unstopped = [...this.tasks.values()].some(
      (task) =>
        task.clusterArn === service.clusterArn &&
        task.serviceName === service.name &&
        task.lastStatus !== 'STOPPED',
    );
    if (!unstopped) service.status = 'INACTIVE';
  }

  private newDeploymentId(): string {
    return `ecs-svc/${randomChars(this.random, '0123456789', 19)}`;
  }

  private seq(): number {
    return this.nextSeq++;
  }
}

/** Task-level cpu and memory as the ECS API reports them (strings), when the definition sets them. */
function sizeOf(taskDefinition: TaskDefinition): { cpu?: string; memory?: string } {
  const { cpu, memory } = taskDefinition.definition;
  return {
    ...(typeof cpu === 'string' || typeof cpu === 'number' ? { cpu: String(cpu) } : {}),
    ...(typeof memory === 'string' || typeof memory === 'number' ? { memory: String(memory) } : {}),
  };
}
