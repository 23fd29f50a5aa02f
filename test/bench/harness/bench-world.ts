/**
 * BenchWorld: one set of envtest servers (ECS, Secrets Manager, Consul 1.14, and SQS in events
 * mode) holding a cluster of mesh services, driven in-process so the workload itself never shows
 * up in the servers' call counters: every counted call is the controller's.
 *
 * Invariants:
 * - Services are ECS services whose task definition carries the mesh tag, with propagateTags
 *   TASK_DEFINITION; the service name, the task family and the Consul service name are equal, and
 *   each has its `<prefix>-<service>` secret (created holding `{}`, as the Terraform module does).
 * - Seeded services' task definitions name no secrets (they were running before the benchmark);
 *   burst services' task definitions read `<secret-arn>:token::`, so ECS fails their tasks with
 *   ResourceInitializationError while the secret has no token (envtest ECS `secrets`).
 * - In events mode ECS publishes Task State Change events into the SQS queue only once
 *   `startEvents()` has been called (the seeding's events are dropped, the queue purged).
 * - Controllers reach Consul through `consulUrl`, a ConsulListProxy that tells blocking list calls
 *   from plain ones (`counts().ConsulLists`).
 * - `close()` stops every server; it is safe to call twice.
 */
import { type ConsulServer, startConsulServer } from '../../../envtest/consul/server.js';
import { type Cluster, type Service, type Tag } from '../../../envtest/ecs/model.js';
import { type EcsServer, startEcsServer } from '../../../envtest/ecs/server.js';
import {
  type SecretsManagerServer,
  startSecretsManagerServer,
} from '../../../envtest/secretsmanager/server.js';
import { type Secret } from '../../../envtest/secretsmanager/model.js';
import { type SqsServer, startSqsServer } from '../../../envtest/sqs/server.js';
import { type ConsulListProxy, startConsulListProxy } from './consul-list-proxy.js';
import { applyLatencyProfile, type LatencyProfile } from './latency-profile.js';

export const MESH_TAG: Tag = { key: 'consul.hashicorp.com/mesh', value: 'true' };

export interface BenchWorldOptions {
  readonly events: boolean;
  /** Time a task stays PROVISIONING, then PENDING; secrets are read at the end of PENDING. */
  readonly provisioningMs: number;
  readonly pendingMs: number;
  /** Delays added to every call of the servers (default none: loopback speed). */
  readonly latency?: LatencyProfile;
}

export class BenchWorld {
  readonly cluster = 'bench';
  readonly prefix = 'bench';
  clientSecretArn = '';
  queueUrl: string | undefined;
  private publishing = false;
  private clusterRecord!: Cluster;
  private readonly services: Service[] = [];
  /** Secret records by service name (the store's find() scans every secret; these are live objects). */
  private readonly secrets = new Map<string, Secret>();
  private closed: Promise<void> | undefined;

  private constructor(
    readonly ecs: EcsServer,
    readonly sm: SecretsManagerServer,
    readonly consul: ConsulServer,
    readonly sqs: SqsServer | undefined,
    readonly consulProxy: ConsulListProxy,
  ) {}

  /** The Consul address controllers are given (the counting proxy). */
  get consulUrl(): string {
    return this.consulProxy.url;
  }

  static async start(options: BenchWorldOptions): Promise<BenchWorld> {
    const [sm, consul, sqs] = await Promise.all([
      startSecretsManagerServer(),
      startConsulServer({ version: '1.14' }),
      options.events ? startSqsServer() : Promise.resolve(undefined),
    ]);
    const queue = sqs?.state.createQueue('ecs-task-events', {});
    const holder: { world?: BenchWorld } = {};
    const ecs = await startEcsServer({
      timings: { provisioningMs: options.provisioningMs, pendingMs: options.pendingMs, stoppingMs: 0 },
      secrets: sm.state,
      ...(sqs && queue
        ? {
            events: {
              publish: (body: string) => {
                if (holder.world?.publishing) sqs.state.sendMessage(queue, body);
              },
            },
          }
        : {}),
    });
    applyLatencyProfile(options.latency ?? 'none', {
      ecs: ecs.faults,
      secretsManager: sm.faults,
      consul: consul.faults,
    });
    const world = new BenchWorld(ecs, sm, consul, sqs, await startConsulListProxy(consul.url));
    holder.world = world;
    world.queueUrl = queue?.url;
    world.clusterRecord = ecs.state.createCluster(world.cluster, []);
    world.clientSecretArn = world.putSecret(`${world.prefix}-consul-client-token`).arn;
    return world;
  }

  private putSecret(name: string): Secret {
    const store = this.sm.state;
    const secret = store.create({ name, tags: [] });
    store.putValue(secret, store.newVersionId(), { secretString: '{}' });
    return secret;
  }

  /** Creates the secret, the mesh task definition and the ECS service (in that order, as Terraform). */
  createMeshService(name: string, desiredCount: number, readsSecret: boolean): Service {
    const secret = this.putSecret(`${this.prefix}-${name}`);
    this.secrets.set(name, secret);
    const container: Record<string, unknown> = { name: 'app', image: 'app:latest', memory: 128 };
    if (readsSecret) container.secrets = [{ name: 'CONSUL_HTTP_TOKEN', valueFrom: `${secret.arn}:token::` }];
    const state = this.ecs.state;
    const taskDefinition = state.registerTaskDefinition(
      name,
      { family: name, containerDefinitions: [container] },
      [container],
      [MESH_TAG],
    );
    const service = state.createService({
      cluster: this.clusterRecord,
      name,
      taskDefinition,
      desiredCount,
      launchType: 'FARGATE',
      propagateTags: 'TASK_DEFINITION',
      enableECSManagedTags: false,
      tags: [],
    });
    this.services.push(service);
    return service;
  }

  /** Tasks with lastStatus RUNNING and desiredStatus RUNNING. */
  runningTasks(): number {
    let count = 0;
    for (const task of this.ecs.state.tasks.values()) {
      if (task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING') count += 1;
    }
    return count;
  }

  /** Stops one running task at random, as if its container exited; its service replaces it. */
  churnOne(random: () => number = Math.random): boolean {
    const running = [...this.ecs.state.tasks.values()].filter(
      (task) => task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING',
    );
    const task = running[Math.floor(random() * running.length)];
    return task !== undefined && this.ecs.state.terminateTask(task.arn);
  }

  /** Whether the service's secret holds a token that exists in Consul with that SecretID. */
  tokenReady(service: string): boolean {
    const store = this.sm.state;
    const secret = this.secrets.get(service);
    const value = secret && store.versionWithStage(secret, 'AWSCURRENT')?.secretString;
    if (!value) return false;
    let parsed: { accessor_id?: unknown; token?: unknown };
    try {
      parsed = JSON.parse(value) as typeof parsed;
    } catch {
      return false;
    }
    if (typeof parsed.accessor_id !== 'string' || typeof parsed.token !== 'string') return false;
    return this.consul.state.tokens.get(parsed.accessor_id)?.secretId === parsed.token;
  }

  /** From now on, ECS task changes go to the SQS queue (events mode); earlier ones are purged. */
  startEvents(): void {
    if (!this.sqs || !this.queueUrl) return;
    const queue = this.sqs.state.requireQueue(this.queueUrl);
    this.sqs.state.purge(queue);
    this.publishing = true;
  }

  /** Call counts by operation, per server. */
  counts(): CallCounts {
    return {
      ECS: this.ecs.calls.snapshot(),
      SM: this.sm.calls.snapshot(),
      Consul: this.consul.calls.snapshot(),
      SQS: this.sqs?.calls.snapshot() ?? {},
      ConsulLists: { ...this.consulProxy.counts },
    };
  }

  close(): Promise<void> {
    this.closed ??= Promise.all([
      this.ecs.close(),
      this.sm.close(),
      this.consul.close(),
      this.sqs?.close(),
      this.consulProxy.close(),
    ]).then(() => undefined);
    return this.closed;
  }
}

export type Api = 'ECS' | 'SM' | 'Consul' | 'SQS';
/** Calls by operation per API, plus ACL list calls by kind (blocking / plain), not in the APIs' totals. */
export type CallCounts = Record<Api | 'ConsulLists', Record<string, number>>;

/** `after - before`, per API and operation, leaving out zeros. */
export function countsBetween(before: CallCounts, after: CallCounts): CallCounts {
  const diff = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(b)
        .map(([op, n]) => [op, n - (a[op] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
  return {
    ECS: diff(before.ECS, after.ECS),
    SM: diff(before.SM, after.SM),
    Consul: diff(before.Consul, after.Consul),
    SQS: diff(before.SQS, after.SQS),
    ConsulLists: diff(before.ConsulLists, after.ConsulLists),
  };
}
