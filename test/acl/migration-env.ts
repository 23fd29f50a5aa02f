/**
 * MigrationEnv: the world of one consul-ecs v0.4.3 ⇄ ecs-acl-controller migration test: fresh
 * envtest ECS and Secrets Manager servers (their call logs tell each controller's calls apart by
 * access key), a Consul (a fresh envtest server, or a real agent shared by the suite), an
 * AclWorld attached to them, two mesh services, and both controllers as child processes: the
 * real consul-ecs binary (test/helpers/consul-ecs) and our real CLI (spawnController).
 *
 * Invariants:
 * - Every name is unique per test (cluster `acl-<id>`, prefix `t-<id>`, services `web-<id>` and
 *   `api-<id>`), so tests sharing a real Consul never see each other's tokens or policies
 *   (consul-ecs's per-service policy names are global: `<service>-service`).
 * - The cluster has two names: its short name and its ARN (account 123456789012, us-east-1, as
 *   envtest ECS and Secrets Manager mint them); `snapshot()` keeps only what belongs to this
 *   world: tokens and policies whose description names either, and the client token and policy.
 * - `close()` stops every process it started (SIGKILL for ours, consul-ecs's own stop()), closes
 *   the servers it started, and records our controller's AWS calls for the IAM check.
 */
import { type CallLog, type CallRecord } from '../../envtest/call-log.js';
import { type ConsulServer, startConsulServer } from '../../envtest/consul/server.js';
import { type EcsServer, startEcsServer } from '../../envtest/ecs/server.js';
import { type SecretsManagerServer, startSecretsManagerServer } from '../../envtest/secretsmanager/server.js';
import { CONTROLLER_ACCESS_KEY_ID, recordControllerCalls } from '../helpers/aws-actions.js';
import { type ConsulEcsHandle, runConsulEcs } from '../helpers/consul-ecs/run-consul-ecs.js';
import { type ControllerProcess, spawnController } from './cli-process.js';
import { AclWorld, eventually } from './world.js';

export const ACCOUNT = '123456789012';
/** consul-ecs signs with this key, ours with CONTROLLER_ACCESS_KEY_ID, the test with AKIDTEST. */
export const CONSUL_ECS_ACCESS_KEY_ID = 'AKIDCONSULECS';

/** How a controller is told the cluster: its short name (EC2) or its ARN (Fargate task metadata). */
export type ClusterForm = 'name' | 'arn';

/** A Consul for one test: envtest's (with a call log) or a real agent's. */
export interface ConsulSide {
  readonly name: string;
  open(): Promise<{ url: string; token: string; calls?: CallLog; close(): Promise<void> }>;
}

export const envtestConsul: ConsulSide = {
  name: 'envtest Consul 1.14',
  async open() {
    const server: ConsulServer = await startConsulServer({ version: '1.14' });
    return {
      url: server.url,
      token: server.managementToken,
      calls: server.calls,
      close: () => server.close(),
    };
  },
};

/** A real agent started by the suite; each test leaves it running. */
export function sharedConsul(name: string, url: string, token: string): ConsulSide {
  return { name, open: async () => ({ url, token, close: async () => {} }) };
}

export interface TokenIds {
  readonly accessor_id: string;
  readonly token: string;
}

export interface TokenSnap {
  readonly accessorId: string;
  readonly secretId: string;
  readonly description: string;
  readonly policies: readonly string[];
  readonly identities: readonly string[];
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export interface PolicySnap {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

/** This world's ACL state and secrets at one moment. */
export interface Snapshot {
  readonly clientSecret: TokenIds;
  /** Per service name. */
  readonly secrets: Readonly<Record<string, TokenIds>>;
  /** Tokens described with either cluster name, plus the client token; by AccessorID. */
  readonly tokens: readonly TokenSnap[];
  /** Policies described with either cluster name, plus the client policy; by name. */
  readonly policies: readonly PolicySnap[];
}

interface TokenStub {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies?: Array<{ ID: string; Name: string }>;
  ServiceIdentities?: Array<{ ServiceName: string }>;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface CallCounts {
  readonly ecs: Record<string, number>;
  readonly secretsManager: Record<string, number>;
  /** envtest Consul only. */
  readonly consulWrites?: Record<string, number>;
}

const CLUSTER_LINE = /\nconsul\.hashicorp\.com\/cluster: (\S+)/;

export class MigrationEnv {
  private readonly started: { consulEcs: ConsulEcsHandle[]; ours: ControllerProcess[] } = {
    consulEcs: [],
    ours: [],
  };

  private constructor(
    readonly world: AclWorld,
    readonly ecs: EcsServer,
    readonly sm: SecretsManagerServer,
    /** envtest Consul only. */
    readonly consulCalls: CallLog | undefined,
    private readonly closeConsul: () => Promise<void>,
    readonly services: readonly [string, string],
  ) {}

  static async start(side: ConsulSide): Promise<MigrationEnv> {
    const [ecs, sm, consul] = await Promise.all([startEcsServer(), startSecretsManagerServer(), side.open()]);
    const world = await AclWorld.attach({
      name: `envtest ECS + envtest Secrets Manager + ${side.name}`,
      ecsUrl: ecs.url,
      secretsManagerUrl: sm.url,
      consulUrl: consul.url,
      managementToken: consul.token,
    });
    const id = world.cluster.replace(/^acl-/, '');
    return new MigrationEnv(world, ecs, sm, consul.calls, consul.close, [`web-${id}`, `api-${id}`]);
  }

  get clusterArn(): string {
    return `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${this.world.cluster}`;
  }

  cluster(form: ClusterForm): string {
    return form === 'arn' ? this.clusterArn : this.world.cluster;
  }

  /** Each service's secret holding `{}` (as the Terraform module makes it) and `tasks` running tasks. */
  async seed(tasks: readonly [number, number] = [2, 1]): Promise<Record<string, string[]>> {
    const running: Record<string, string[]> = {};
    for (const [index, service] of this.services.entries()) {
      await this.world.createServiceSecret(service);
      running[service] = await this.world.runTasks(service, tasks[index]);
    }
    return running;
  }

  /** The real consul-ecs v0.4.3 acl-controller, told the cluster in `form` through task metadata. */
  async startConsulEcs(form: ClusterForm): Promise<ConsulEcsHandle> {
    const handle = await runConsulEcs({
      cluster: this.cluster(form),
      clientSecretArn: this.world.clientSecretArn,
      secretNamePrefix: this.world.prefix,
      ecsUrl: this.ecs.url,
      secretsManagerUrl: this.sm.url,
      consulUrl: this.world.backends.consulUrl,
      consulToken: this.world.backends.managementToken,
      accessKeyId: CONSUL_ECS_ACCESS_KEY_ID,
    });
    this.started.consulEcs.push(handle);
    return handle;
  }

  /** Our real CLI with `-cluster` in `form`, a 1 s resync and no GC grace period. */
  startOurs(form: ClusterForm): ControllerProcess {
    const controller = spawnController(
      this.world,
      ['-resync-interval', '1s', '-gc-grace-period', '0', '-graceful-shutdown-timeout', '5s'],
      {},
      this.cluster(form),
    );
    this.started.ours.push(controller);
    return controller;
  }

  async stopOurs(controller: ControllerProcess): Promise<void> {
    controller.child.kill('SIGTERM');
    await controller.exited;
  }

  /** Task lists ECS answered since the last resetCalls(), signed with `accessKeyId`. */
  taskLists(accessKeyId: string): number {
    return this.ecs.calls
      .all()
      .filter((call) => call.operation === 'ListTasks' && call.principal === accessKeyId).length;
  }

  resetCalls(): void {
    recordControllerCalls('ecs', this.ecs.calls.all());
    recordControllerCalls('secretsmanager', this.sm.calls.all());
    this.ecs.calls.reset();
    this.sm.calls.reset();
    this.consulCalls?.reset();
  }

  /**
   * Calls since the last resetCalls(): the AWS ones signed with `accessKeyId`, and (envtest Consul
   * only) every ACL write, whoever made it (the tests themselves only read while a controller runs).
   */
  calls(accessKeyId: string): CallCounts {
    const count = (log: CallLog, keep: (call: CallRecord) => boolean) => {
      const counts: Record<string, number> = {};
      for (const call of log.all())
        if (keep(call)) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
      return counts;
    };
    const signed = (call: CallRecord) => call.principal === accessKeyId;
    const write = (call: CallRecord) => /\.(create|update|delete|clone)$/.test(call.operation);
    return {
      ecs: count(this.ecs.calls, signed),
      secretsManager: count(this.sm.calls, signed),
      ...(this.consulCalls ? { consulWrites: count(this.consulCalls, write) } : {}),
    };
  }

  /** Whether `accessorId` names a token Consul has (any status but 200 means no). */
  async tokenExists(accessorId: string): Promise<boolean> {
    return (await this.world.consul('GET', `/v1/acl/token/${accessorId}`)).status === 200;
  }

  /** Waits until consul-ecs has written the client secret and every service's secret, and made their tokens. */
  async untilConsulEcsMadeTokens(handle: ConsulEcsHandle, timeoutMs = 30_000): Promise<void> {
    const exited = handle.exited.then((code) => {
      throw new Error(`consul-ecs exited with ${code}:\n${handle.logs.join('\n')}`);
    });
    const made = async (id: string) => {
      const ids = (await this.world.secretValue(id)) as Partial<TokenIds>;
      return (
        ids.accessor_id !== undefined && ids.token !== undefined && (await this.tokenExists(ids.accessor_id))
      );
    };
    const secrets = [this.world.clientSecretArn, ...this.services.map((s) => `${this.world.prefix}-${s}`)];
    await Promise.race([
      eventually(
        'consul-ecs: the client token and both service tokens',
        async () => (await Promise.all(secrets.map(made))).every(Boolean),
        timeoutMs,
      ),
      exited,
    ]);
  }

  async snapshot(): Promise<Snapshot> {
    const names = [this.world.cluster, this.clusterArn];
    const clientPolicy = `${this.world.prefix}-consul-client-policy`;
    const clientSecret = (await this.world.secretValue(this.world.clientSecretArn)) as unknown as TokenIds;
    const secrets: Record<string, TokenIds> = {};
    for (const service of this.services) {
      secrets[service] = (await this.world.secretValue(
        `${this.world.prefix}-${service}`,
      )) as unknown as TokenIds;
    }
    const ours = (description: string) => names.includes(CLUSTER_LINE.exec(description)?.[1] ?? '');
    const { json: tokens } = await this.world.consul<TokenStub[]>('GET', '/v1/acl/tokens');
    const { json: policies } = await this.world.consul<
      Array<{ ID: string; Name: string; Description: string }>
    >('GET', '/v1/acl/policies');
    return {
      clientSecret,
      secrets,
      tokens: tokens
        .filter(
          (token) =>
            ours(token.Description) ||
            token.AccessorID === clientSecret.accessor_id ||
            (token.Policies ?? []).some((policy) => policy.Name === clientPolicy),
        )
        .map((token) => ({
          accessorId: token.AccessorID,
          secretId: token.SecretID,
          description: token.Description,
          policies: (token.Policies ?? []).map((policy) => policy.Name).sort(),
          identities: (token.ServiceIdentities ?? []).map((identity) => identity.ServiceName).sort(),
          createIndex: token.CreateIndex,
          modifyIndex: token.ModifyIndex,
        }))
        .sort((a, b) => a.accessorId.localeCompare(b.accessorId)),
      policies: policies
        .filter((policy) => ours(policy.Description) || policy.Name === clientPolicy)
        .map((policy) => ({ id: policy.ID, name: policy.Name, description: policy.Description }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  async close(): Promise<void> {
    for (const controller of this.started.ours) controller.child.kill('SIGKILL');
    await Promise.all(this.started.ours.map((controller) => controller.exited));
    await Promise.all(this.started.consulEcs.map((handle) => handle.stop()));
    this.resetCalls();
    await this.world.close();
    await Promise.all([this.ecs.close(), this.sm.close(), this.closeConsul()]);
  }

  /** consul-ecs's output, for a failed test. */
  logs(): string {
    const consulEcs = this.started.consulEcs.flatMap((handle, i) => [
      `--- consul-ecs #${i + 1}`,
      ...handle.logs,
    ]);
    const ours = this.started.ours.map((controller, i) => `--- ours #${i + 1}\n${controller.output()}`);
    return [...consulEcs, ...ours].join('\n');
  }
}

export { CONTROLLER_ACCESS_KEY_ID };
