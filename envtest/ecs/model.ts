/**
 * EcsModel: the records the ECS emulator keeps, in the vocabulary of the ECS API.
 *
 * Invariants:
 * - `seq` is unique per record kind and increases with creation; listings are ordered by it.
 * - A task's `version` starts at 1 and increases by one on every change to the task.
 * - desiredStatus is RUNNING or STOPPED only; lastStatus only moves forward through
 *   PROVISIONING → PENDING → RUNNING → STOPPING → STOPPED (a stop may skip the first steps).
 */
export interface Tag {
  key: string;
  value: string;
}

export type JsonValue = unknown;

export interface Cluster {
  readonly seq: number;
  readonly arn: string;
  readonly name: string;
  status: 'ACTIVE' | 'INACTIVE';
  tags: Tag[];
}

export interface TaskDefinition {
  readonly seq: number;
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  /** The registration input, minus tags, echoed back by DescribeTaskDefinition. */
  readonly definition: Readonly<Record<string, JsonValue>>;
  readonly containerDefinitions: ReadonlyArray<Readonly<Record<string, JsonValue>>>;
  readonly registeredAt: number;
  tags: Tag[];
}

export type PropagateTags = 'TASK_DEFINITION' | 'SERVICE' | 'NONE';

export interface Service {
  readonly seq: number;
  readonly arn: string;
  readonly name: string;
  readonly clusterArn: string;
  readonly clusterName: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  taskDefinitionArn: string;
  readonly launchType: string;
  readonly propagateTags: PropagateTags;
  readonly enableECSManagedTags: boolean;
  /** `ecs-svc/<digits>`: the startedBy of the service's tasks. */
  deploymentId: string;
  readonly createdAt: number;
  updatedAt: number;
  tags: Tag[];
  /** Launches in a row that failed to reach RUNNING (reset by a RUNNING task or a new task definition). */
  consecutiveFailedLaunches: number;
  /** While the clock is before this, the scheduler starts no replacement (ECS service throttle logic). */
  launchBlockedUntil?: number;
}

/** How one task's start ended: it reached RUNNING, or failed first (a secret it could not read). */
export interface LaunchAttempt {
  readonly taskArn: string;
  readonly group: string;
  /** The service that launched it, if any. */
  readonly serviceName?: string;
  readonly createdAt: number;
  /** When the outcome was decided (the end of PENDING). */
  readonly at: number;
  readonly outcome: 'RUNNING' | 'FAILED';
  readonly stoppedReason?: string;
}

/** The service scheduler's retry gaps after failed launches: initial, doubling, capped. */
export interface ServiceLaunchRetry {
  /** Gap after the first failed launch in a row (AWS: about 10 s). */
  readonly initialDelayMs: number;
  /** Largest gap (AWS documents 27 minutes). */
  readonly maxDelayMs: number;
}

export type TaskLastStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPING' | 'STOPPED';
export type TaskDesiredStatus = 'RUNNING' | 'STOPPED';

export interface Container {
  readonly arn: string;
  readonly name: string;
  readonly image: string;
  lastStatus: TaskLastStatus;
}

export interface Task {
  readonly seq: number;
  readonly arn: string;
  readonly id: string;
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly group: string;
  readonly startedBy?: string;
  /** The service that owns the task, if a service started it. */
  readonly serviceName?: string;
  readonly launchType: string;
  /** Task-level cpu and memory, from the task definition when it sets them. */
  readonly cpu?: string;
  readonly memory?: string;
  lastStatus: TaskLastStatus;
  desiredStatus: TaskDesiredStatus;
  version: number;
  tags: Tag[];
  readonly containers: Container[];
  readonly createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  stopCode?: string;
}

/** One entry of the ordered task change log (the source of future Task State Change events). */
export interface TaskChange {
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly group: string;
  readonly startedBy?: string;
  readonly version: number;
  readonly lastStatus: TaskLastStatus;
  readonly desiredStatus: TaskDesiredStatus;
  readonly stoppedReason?: string;
  readonly stopCode?: string;
  /** Server clock time of the change, ms since the epoch. */
  readonly at: number;
}

export interface EcsTimings {
  /** Time a task stays PROVISIONING. */
  readonly provisioningMs: number;
  /** Time a task stays PENDING. */
  readonly pendingMs: number;
  /** Time a stopped task stays STOPPING. */
  readonly stoppingMs: number;
}
