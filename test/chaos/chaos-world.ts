/**
 * ChaosWorld: the envtest servers a chaos run drives (ECS, Secrets Manager, Consul), the test's
 * own API clients, and the objects seeded before the controllers start.
 *
 * Invariants:
 * - The served clusters are `chaos` (prefix `chaos`) and, with two, `chaos-b` (prefix `chaosb`):
 *   a cluster name that contains the first one, so a substring match would claim its tokens, with
 *   a prefix that does not overlap the first (the controller refuses `chaos` with `chaos-b`, since
 *   `chaos-b-<service>` would be a secret of both).
 *   Every service the ops may name has a task definition (family = service name, mesh tag, shared
 *   by the clusters) and, in each served cluster, its `<prefix>-<service>` secret holding `{}` from
 *   the start, as the Terraform module would create them; each cluster has its own client secret,
 *   `<prefix>-consul-client-token` (as Terraform names it). Family `batch` is not mesh. Cluster
 *   `other` is not served. The family a hostile tenant would name a task after to make its secret
 *   the client secret (`collidingService`, the same for every served cluster) is registered too,
 *   with the mesh tag.
 * - The run's own Consul writes after seeding go through `driverCall`, with the driver's token
 *   (global-management, its own AccessorID `driverAccessorId`), never with the controllers' token,
 *   so the Consul call log tells them apart exactly (each call's principal is its token's
 *   AccessorID).
 * - Every Consul call, of every Consul instance, is also given to the `onConsulCall` listeners
 *   as it is recorded (after its outcome is in the state), for checks that need the state then;
 *   every Secrets Manager call likewise to the `onSecretsCall` listeners.
 * - Consul restarts keep its state (the same `ConsulState`), its management token and its port,
 *   so controllers configured with one address find it again. Each instance's call log is kept,
 *   and `consulCalls()` returns them all, oldest instance first.
 * - The test's clients sign with AKIDTEST, never with the controller's key, and try once: the
 *   driver retries (see `retrying`), so a retried call shows in the call logs as what it is.
 * - With events (`ChaosWorld.start(…, events)`), an envtest SQS server holds one queue per served
 *   cluster (`<prefix>-task-events`, visibility timeout 10 s, so a message a killed replica took
 *   comes back within the run), and envtest ECS publishes every task change through the run's
 *   EventPath (./event-path.ts), which routes it to its cluster's queue (cluster `other` has
 *   none) and loses the seeded share. The SQS server is under the same API faults as the others.
 *   Without events there is no SQS server and `events` is undefined.
 * - `close()` closes every server.
 */
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';

import { type CallRecord } from '../../envtest/call-log.js';
import { GLOBAL_MANAGEMENT_POLICY_ID } from '../../envtest/consul/acl/model.js';
import { type ConsulServer, startConsulServer } from '../../envtest/consul/server.js';
import { type EcsServer, startEcsServer } from '../../envtest/ecs/server.js';
import { type Queue } from '../../envtest/sqs/model.js';
import { type SqsServer, startSqsServer } from '../../envtest/sqs/server.js';
import { type SecretsManagerServer, startSecretsManagerServer } from '../../envtest/secretsmanager/server.js';
import { EventPath } from './event-path.js';
import { type ReplicaTarget } from './replicas.js';
import { FaultSchedule } from './fault-schedule.js';
import { seedForeign, type ForeignBaseline } from './foreign.js';
import { type Prng } from './prng.js';
import { retrying, sleep } from './retrying.js';

export const MESH_TAG = { key: 'consul.hashicorp.com/mesh', value: 'true' };
export const NON_MESH_FAMILY = 'batch';
const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
/** session_ttl_min of the run's Consul, so the replicas can use a short lock TTL. */
export const SESSION_TTL_MIN_MS = 1_000;

/** A cluster the replicas serve: its name, secret prefix and client secret. */
export interface ServedCluster {
  readonly name: string;
  readonly prefix: string;
  clientSecretArn: string;
  /** Its task events queue's URL (events mode only). */
  eventsQueueUrl?: string;
}

/** Events mode: the seed's base loss fraction and loss stream (`eventLoss(seed)`). */
export interface WorldEvents {
  readonly fraction: number;
  readonly draws: Prng;
}

/** How long a received event stays invisible before SQS hands it out again. */
const EVENTS_VISIBILITY_S = 10;

export const SERVED_CLUSTERS = [
  { name: 'chaos', prefix: 'chaos' },
  { name: 'chaos-b', prefix: 'chaosb' },
] as const;

export class ChaosWorld {
  readonly clusters: ServedCluster[];
  readonly faults = new FaultSchedule();
  foreign!: ForeignBaseline;
  /** The AccessorID of the token the run's own Consul writes use (see `driverCall`). */
  driverAccessorId = '';
  private driverSecret = '';
  private readonly consulListeners: Array<(call: CallRecord) => void> = [];
  private readonly secretsListeners: Array<(call: CallRecord) => void> = [];
  private readonly retiredConsulCalls: CallRecord[][] = [];
  private closed: Promise<void> | undefined;

  private constructor(
    readonly ecsServer: EcsServer,
    readonly smServer: SecretsManagerServer,
    public consul: ConsulServer,
    readonly ecs: ECSClient,
    readonly sm: SecretsManagerClient,
    readonly services: readonly string[],
    clusterCount: number,
    readonly sqsServer: SqsServer | undefined,
    readonly events: EventPath | undefined,
  ) {
    this.clusters = SERVED_CLUSTERS.slice(0, clusterCount).map((c) => ({ ...c, clientSecretArn: '' }));
    for (const server of [ecsServer, smServer, consul, ...(sqsServer ? [sqsServer] : [])]) {
      this.faults.add(server.faults);
    }
    this.listen(consul);
    const log = smServer.calls;
    const record = log.record.bind(log);
    log.record = (call: CallRecord) => {
      record(call);
      for (const listener of this.secretsListeners) listener(call);
    };
  }

  static async start(
    services: readonly string[],
    clusterCount = 1,
    events?: WorldEvents,
  ): Promise<ChaosWorld> {
    const sqsServer = events ? await startSqsServer() : undefined;
    const path =
      sqsServer && events ? new EventPath(sqsServer.state, events.fraction, events.draws) : undefined;
    const [ecsServer, smServer, consul] = await Promise.all([
      startEcsServer(
        path
          ? { events: { publish: path.publish, publishService: path.publishService, serviceEvents: true } }
          : {},
      ),
      startSecretsManagerServer(),
      startConsulServer({ sessionTtlMinMs: SESSION_TTL_MIN_MS }),
    ]);
    if (path && ecsServer.events) path.attachPipe(ecsServer.events);
    const client = { region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 };
    const world = new ChaosWorld(
      ecsServer,
      smServer,
      consul,
      new ECSClient({ ...client, endpoint: ecsServer.url }),
      new SecretsManagerClient({ ...client, endpoint: smServer.url }),
      services,
      clusterCount,
      sqsServer,
      path,
    );
    await world.seed();
    return world;
  }

  get consulUrl(): string {
    return this.consul.url;
  }

  /** Where replicas reach this world's servers (`sessionTtlMinMs`: its Consul's session_ttl_min). */
  replicaTarget(sessionTtlMinMs: number): ReplicaTarget {
    return {
      clusters: this.clusters,
      ecsUrl: this.ecsServer.url,
      secretsManagerUrl: this.smServer.url,
      ...(this.sqsServer ? { sqsUrl: this.sqsServer.url } : {}),
      consulUrl: this.consulUrl,
      managementToken: this.managementToken,
      consulState: () => this.consul.state,
      sessionTtlMinMs,
    };
  }

  get managementToken(): string {
    return this.consul.managementToken;
  }

  /** The first served cluster (the only one with `--clusters 1`). */
  get cluster(): string {
    return this.clusters[0].name;
  }

  served(cluster: string): ServedCluster {
    const found = this.clusters.find((c) => c.name === cluster);
    if (!found) throw new Error(`cluster ${cluster} is not served`);
    return found;
  }

  secretName(cluster: string, service: string): string {
    return `${this.served(cluster).prefix}-${service}`;
  }

  clientSecretName(cluster: string): string {
    return `${this.served(cluster).prefix}-consul-client-token`;
  }

  /** The service name whose `<prefix>-<service>` secret is `cluster`'s client secret. */
  collidingService(cluster: string): string {
    const { prefix } = this.served(cluster);
    const name = this.clientSecretName(cluster);
    if (!name.startsWith(`${prefix}-`)) throw new Error(`client secret ${name} has no prefix ${prefix}-`);
    return name.slice(prefix.length + 1);
  }

  onConsulCall(listener: (call: CallRecord) => void): void {
    this.consulListeners.push(listener);
  }

  /** Like `onConsulCall`, for Secrets Manager. */
  onSecretsCall(listener: (call: CallRecord) => void): void {
    this.secretsListeners.push(listener);
  }

  private listen(consul: ConsulServer): void {
    const log = consul.calls;
    const record = log.record.bind(log);
    log.record = (call: CallRecord) => {
      record(call);
      for (const listener of this.consulListeners) listener(call);
    };
  }

  private async seed(): Promise<void> {
    for (const cluster of [...this.clusters.map((c) => c.name), 'other']) {
      const created = await this.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
      const served = this.clusters.find((c) => c.name === cluster);
      if (this.events && this.sqsServer) {
        let queue: Queue | undefined;
        if (served) {
          queue = this.sqsServer.state.createQueue(`${served.prefix}-task-events`, {
            visibilityTimeout: EVENTS_VISIBILITY_S,
          });
          served.eventsQueueUrl = queue.url;
        }
        this.events.addCluster(cluster, created.cluster?.clusterArn as string, queue);
      }
    }
    const colliding = new Set(this.clusters.map((c) => this.collidingService(c.name)));
    for (const family of [...this.services, ...colliding, NON_MESH_FAMILY]) {
      await this.ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: [{ name: 'app', image: 'app:latest', memory: 128 }],
          ...(family === NON_MESH_FAMILY ? {} : { tags: [MESH_TAG] }),
        }),
      );
    }
    for (const served of this.clusters) {
      served.clientSecretArn = await this.createSecret(this.clientSecretName(served.name), '{}');
      for (const service of this.services) await this.createSecret(`${served.prefix}-${service}`, '{}');
    }
    // A mesh task of another cluster: it must not make its service active in ours.
    await this.ecs.send(
      new RunTaskCommand({ cluster: 'other', taskDefinition: this.services[0], tags: [MESH_TAG] }),
    );
    this.foreign = await seedForeign(this);
    this.driverSecret = randomUUID();
    const { status, text } = await this.consulCall('PUT', '/v1/acl/token', {
      SecretID: this.driverSecret,
      Description: "chaos driver: the run's own writes",
      Policies: [{ ID: GLOBAL_MANAGEMENT_POLICY_ID }],
    });
    if (status !== 200) throw new Error(`creating the driver token: HTTP ${status}: ${text}`);
    this.driverAccessorId = (JSON.parse(text) as { AccessorID: string }).AccessorID;
  }

  async createSecret(name: string, value: string): Promise<string> {
    const result = await this.sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    return result.ARN as string;
  }

  /** A Consul API call with the management token; retried through faults by the caller. */
  consulCall(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    return this.call(this.consul.managementToken, method, path, body);
  }

  /** A Consul API call as the run's driver (its own token); retried through faults by the caller. */
  driverCall(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    return this.call(this.driverSecret, method, path, body);
  }

  private async call(token: string, method: string, path: string, body: unknown) {
    const response = await fetch(`${this.consul.url}${path}`, {
      method,
      headers: { 'x-consul-token': token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  }

  /** Stops Consul, keeps it down for `downMs`, and starts it again on the same port and state. */
  async restartConsul(downMs: number): Promise<void> {
    const old = this.consul;
    await old.close();
    this.retiredConsulCalls.push([...old.calls.all()]);
    await sleep(downMs);
    this.consul = await retrying('restart Consul on its port', () =>
      startConsulServer({
        port: old.port,
        state: old.state,
        managementToken: old.managementToken,
        sessionTtlMinMs: SESSION_TTL_MIN_MS,
      }),
    );
    this.faults.add(this.consul.faults);
    this.listen(this.consul);
  }

  consulCalls(): CallRecord[] {
    return [...this.retiredConsulCalls.flat(), ...this.consul.calls.all()];
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.faults.stop();
      this.events?.stop();
      this.ecs.destroy();
      this.sm.destroy();
      await Promise.all([
        this.ecsServer.close(),
        this.smServer.close(),
        this.consul.close(),
        ...(this.sqsServer ? [this.sqsServer.close()] : []),
      ]);
    })();
    return this.closed;
  }
}
