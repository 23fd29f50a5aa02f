/**
 * AclWorld: an end-to-end test world for the ACL controller: ECS, Secrets Manager and Consul
 * servers on loopback, real SDK clients to drive them, and the real controller (the same
 * container the CLI builds) pointed at them over HTTP.
 *
 * `AclWorld.start()` starts its own envtest servers (with call logs, faults and state) and owns
 * them. `AclWorld.attach(backends)` drives servers started elsewhere (any ECS + Secrets Manager
 * backend, any Consul: moto, ministack, a real Consul agent, envtest) through `AclBackends`
 * endpoints; such a world owns no server, and the envtest-only members (`ecsServer`, `smServer`,
 * `consulServer`) throw on it, so a scenario asserting on call logs is envtest-only by
 * construction. Attached worlds sharing servers use a unique cluster and secret prefix each.
 */
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Tag,
} from '@aws-sdk/client-ecs';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Container } from 'inversify';
import { randomUUID } from 'node:crypto';

import { aclControllersModule } from '../../controllers/module/acl-module.js';
import { awsClientOptions } from '../../controllers/module/acl-settings.js';
import { type AclControllerConfig } from '../../controllers/domain/acl-config.js';
import { consulSettingsFromEnv } from '../../src/consul/consul-settings.js';
import { createContainer } from '../../src/di/container.js';
import { frameworkModule } from '../../src/di/framework-module.js';
import { TYPES } from '../../src/di/types.js';
import {
  type ConsulServer,
  type ConsulServerOptions,
  startConsulServer,
} from '../../envtest/consul/server.js';
import { type EcsServer, startEcsServer, type EcsServerOptions } from '../../envtest/ecs/server.js';
import { type SecretsManagerServer, startSecretsManagerServer } from '../../envtest/secretsmanager/server.js';
import { type Manager } from '../../src/manager/manager.js';
import { type EcsNetwork } from '../conformance/harness/backend.js';
import {
  type EcsContext,
  registerFamily as registerContractFamily,
  runTasks as runContractTasks,
} from '../conformance/ecs.contract.js';
import { CONTROLLER_ACCESS_KEY_ID, recordControllerCalls } from '../helpers/aws-actions.js';

const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
/** The controller signs with its own key, so the call logs tell its calls from the test's. */
const CONTROLLER_CREDENTIALS = {
  accessKeyId: CONTROLLER_ACCESS_KEY_ID,
  secretAccessKey: 'controller-secret',
};
export const MESH = { key: 'consul.hashicorp.com/mesh', value: 'true' };

/** The tags of a mesh task in a namespace of an admin partition (Consul Enterprise). */
export function meshTagsIn(namespace: string, partition = 'default') {
  return [
    MESH,
    { key: 'consul.hashicorp.com/partition', value: partition },
    { key: 'consul.hashicorp.com/namespace', value: namespace },
  ];
}

export interface WorldOptions {
  readonly consul?: ConsulServerOptions;
  readonly ecs?: EcsServerOptions;
  readonly cluster?: string;
}

/** The servers a world talks to: endpoints, plus call logs when the servers are envtest's. */
export interface AclBackends {
  /** e.g. "moto + envtest-consul-1.14". */
  readonly name: string;
  readonly ecsUrl: string;
  readonly secretsManagerUrl: string;
  readonly consulUrl: string;
  /** A Consul token with global-management rights. */
  readonly managementToken: string;
  /**
   * How tasks are networked (see the ECS contract): when set, tasks are run the way the ECS
   * contract runs them (FARGATE; awsvpc, or bridge for moto). Unset: plain RunTask (envtest).
   */
  readonly ecsNetwork?: EcsNetwork;
  /** Only envtest servers keep call logs; scenarios asserting on them need these. */
  readonly servers?: EnvtestServers;
}

export interface EnvtestServers {
  ecs: EcsServer;
  secretsManager: SecretsManagerServer;
  consul: ConsulServer;
}

export interface AttachOptions {
  /** Defaults to a unique `acl-xxxxxxxx`, so worlds can share servers. */
  readonly cluster?: string;
  /** Defaults to a unique `t-xxxxxxxx`. */
  readonly prefix?: string;
}

/** Where the controller connects (a proxy in front of a server, say), and its AWS timeout. */
export interface ControllerOptions {
  readonly consulUrl?: string;
  readonly ecsUrl?: string;
  readonly secretsManagerUrl?: string;
  /** Per-attempt AWS request timeout (default: the CLI's, awsClientOptions()). */
  readonly awsRequestTimeoutMs?: number;
  /** SQS endpoint for event-driven updates (with `eventsQueueUrl` in the config). */
  readonly sqsUrl?: string;
  /** More clusters the same process serves (worlds attached to the same servers). */
  readonly alsoServe?: readonly AclWorld[];
  /** SQS long-polling wait of the event consumer (default 20 s). */
  readonly eventsWaitSeconds?: number;
  /** Resolve once the manager is up, without waiting for every cluster's caches (default: wait). */
  readonly withoutSync?: boolean;
}

export interface RunningController {
  readonly manager: Manager;
  readonly container: Container;
  readonly logs: string[];
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/** Endpoints of envtest servers; reads the servers live, so a restarted server is followed. */
export function envtestBackends(servers: EnvtestServers, name = 'envtest'): AclBackends {
  return {
    name,
    get ecsUrl() {
      return servers.ecs.url;
    },
    get secretsManagerUrl() {
      return servers.secretsManager.url;
    },
    get consulUrl() {
      return servers.consul.url;
    },
    get managementToken() {
      return servers.consul.managementToken;
    },
    servers,
  };
}

export class AclWorld {
  clientSecretArn = '';
  private readonly controllers: RunningController[] = [];

  private constructor(
    readonly backends: AclBackends,
    readonly ecs: ECSClient,
    readonly sm: SecretsManagerClient,
    readonly cluster: string,
    readonly prefix: string,
    /** Whether close() also closes the servers (only a world that started them). */
    private readonly ownsServers: boolean,
  ) {}

  /** A world on its own, fresh envtest servers (cluster "prod", prefix "test"). */
  static async start(options: WorldOptions = {}): Promise<AclWorld> {
    const [ecs, secretsManager, consul] = await Promise.all([
      startEcsServer(options.ecs),
      startSecretsManagerServer(),
      startConsulServer(options.consul),
    ]);
    return AclWorld.create(
      envtestBackends({ ecs, secretsManager, consul }),
      options.cluster ?? 'prod',
      'test',
      true,
    );
  }

  /** A world on servers started elsewhere; close() leaves them running. */
  static async attach(backends: AclBackends, options: AttachOptions = {}): Promise<AclWorld> {
    const id = randomUUID().slice(0, 8);
    return AclWorld.create(backends, options.cluster ?? `acl-${id}`, options.prefix ?? `t-${id}`, false);
  }

  private static async create(
    backends: AclBackends,
    cluster: string,
    prefix: string,
    ownsServers: boolean,
  ): Promise<AclWorld> {
    const client = { region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 };
    const world = new AclWorld(
      backends,
      new ECSClient({ ...client, endpoint: backends.ecsUrl }),
      new SecretsManagerClient({ ...client, endpoint: backends.secretsManagerUrl }),
      cluster,
      prefix,
      ownsServers,
    );
    await world.ecs.send(new CreateClusterCommand({ clusterName: world.cluster }));
    world.clientSecretArn = await world.createSecret(`${world.prefix}-consul-client-token`, '{}');
    return world;
  }

  private servers(): EnvtestServers {
    const { servers } = this.backends;
    if (servers === undefined) {
      throw new Error(`call logs, faults and server state are envtest-only (${this.backends.name})`);
    }
    return servers;
  }

  get ecsServer(): EcsServer {
    return this.servers().ecs;
  }

  get smServer(): SecretsManagerServer {
    return this.servers().secretsManager;
  }

  get consulServer(): ConsulServer {
    return this.servers().consul;
  }

  /** Replaces the envtest Consul server (e.g. restarted on the same port). */
  set consulServer(server: ConsulServer) {
    this.servers().consul = server;
  }

  config(overrides: Partial<AclControllerConfig> = {}): AclControllerConfig {
    return {
      cluster: this.cluster,
      secretNamePrefix: this.prefix,
      clientSecretArn: this.clientSecretArn,
      partitionsEnabled: false,
      gcGracePeriodMs: 0,
      resyncIntervalMs: 1_000,
      concurrency: 4,
      dryRun: false,
      createSecrets: false,
      secretRecheckMs: 300_000,
      preProvision: true,
      ecsReadRate: 50,
      ...overrides,
    };
  }

  /** Builds and starts the real controller container against this world's servers. */
  async startController(
    overrides: Partial<AclControllerConfig> = {},
    token?: string,
    options: ControllerOptions = {},
  ): Promise<RunningController> {
    const logs: string[] = [];
    const client = {
      ...awsClientOptions(options.awsRequestTimeoutMs),
      region: 'us-east-1',
      credentials: CONTROLLER_CREDENTIALS,
    };
    const container = createContainer(
      frameworkModule({
        logLevel: 'debug',
        logSink: (line) => logs.push(line),
        manager: { opsPort: 0, opsHost: '127.0.0.1', cacheSyncTimeoutMs: 0, gracefulShutdownMs: 5_000 },
      }),
      aclControllersModule({
        config: [this, ...(options.alsoServe ?? [])].map((world) => world.config(overrides)),
        clients: {
          ecs: new ECSClient({ ...client, endpoint: options.ecsUrl ?? this.backends.ecsUrl }),
          secretsManager: new SecretsManagerClient({
            ...client,
            endpoint: options.secretsManagerUrl ?? this.backends.secretsManagerUrl,
          }),
          sqs: options.sqsUrl ? new SQSClient({ ...client, endpoint: options.sqsUrl }) : undefined,
          consul: consulSettingsFromEnv({
            CONSUL_HTTP_ADDR: options.consulUrl ?? this.backends.consulUrl,
            CONSUL_HTTP_TOKEN: token ?? this.backends.managementToken,
          }),
        },
        watchWaitMs: 2_000,
        eventsWaitSeconds: options.eventsWaitSeconds,
      }),
    );
    const manager = container.get<Manager>(TYPES.Manager);
    const started = manager.start();
    if (options.withoutSync) {
      started.catch(() => undefined);
      await eventually('the ops server', () => manager.opsUrl);
    } else await started;
    const running: RunningController = {
      manager,
      container,
      logs,
      metrics: async () => (await fetch(`${manager.opsUrl}/metrics`)).text(),
      stop: async () => {
        await manager.stop();
      },
    };
    this.controllers.push(running);
    return running;
  }

  async registerTaskDefinition(family: string, tags: Tag[] = [MESH]): Promise<string> {
    const { ecsNetwork } = this.backends;
    if (ecsNetwork !== undefined) return registerContractFamily(this.ecsContext(ecsNetwork), family, tags);
    const result = await this.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: 'app', image: 'app:latest', memory: 128 }],
        ...(tags.length > 0 ? { tags } : {}),
      }),
    );
    return result.taskDefinition?.taskDefinitionArn as string;
  }

  /** Runs `count` tasks of `family` carrying `tags` (mesh by default), in this world's cluster by default. */
  async runTasks(family: string, count = 1, tags: Tag[] = [MESH], cluster = this.cluster): Promise<string[]> {
    await this.registerTaskDefinition(family, []);
    const arns: string[] = [];
    const { ecsNetwork } = this.backends;
    if (ecsNetwork !== undefined) {
      for (let left = count; left > 0; left -= 10) {
        const tasks = await runContractTasks(this.ecsContext(ecsNetwork), cluster, family, {
          count: Math.min(10, left),
          tags,
        });
        arns.push(...tasks.map((task) => task.taskArn as string));
      }
      return arns;
    }
    for (let left = count; left > 0; left -= 10) {
      const result = await this.ecs.send(
        new RunTaskCommand({
          cluster,
          taskDefinition: family,
          count: Math.min(10, left),
          tags,
        }),
      );
      arns.push(...(result.tasks ?? []).map((task) => task.taskArn as string));
    }
    return arns;
  }

  private ecsContext(network: EcsNetwork): EcsContext {
    return { ecs: this.ecs, network };
  }

  async stopTasks(arns: readonly string[]): Promise<void> {
    for (const task of arns) await this.ecs.send(new StopTaskCommand({ cluster: this.cluster, task }));
  }

  async createSecret(name: string, value = '{}'): Promise<string> {
    const result = await this.sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    return result.ARN as string;
  }

  /** Creates the per-service secret the Terraform module would create, holding `{}`. */
  async createServiceSecret(service: string, value = '{}'): Promise<string> {
    return this.createSecret(`${this.prefix}-${service}`, value);
  }

  async secretValue(id: string): Promise<Record<string, string>> {
    const result = await this.sm.send(new GetSecretValueCommand({ SecretId: id }));
    return JSON.parse(result.SecretString ?? 'null') as Record<string, string>;
  }

  async putSecretValue(id: string, value: string): Promise<void> {
    await this.sm.send(new PutSecretValueCommand({ SecretId: id, SecretString: value }));
  }

  /** A Consul API call with the management token. */
  async consul<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> {
    const response = await fetch(`${this.backends.consulUrl}${path}`, {
      method,
      headers: { 'x-consul-token': this.backends.managementToken },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, json: json as T };
  }

  /** Every token whose description marks it as a service token (of any cluster). */
  /** Every service token in Consul (of any cluster). */
  async serviceTokens(): Promise<ConsulTokenStub[]> {
    const { json } = await this.consul<ConsulTokenStub[]>('GET', '/v1/acl/tokens');
    return json.filter((token) => token.Description.startsWith('Token for '));
  }

  /** The service tokens of this world's cluster only (for worlds sharing a Consul). */
  async ownServiceTokens(): Promise<ConsulTokenStub[]> {
    const mark = `\nconsul.hashicorp.com/cluster: ${this.cluster}`;
    return (await this.serviceTokens()).filter((token) => token.Description.endsWith(mark));
  }

  async close(): Promise<void> {
    for (const controller of this.controllers) await controller.manager.stop();
    if (this.backends.servers) {
      recordControllerCalls('ecs', this.ecsServer.calls.all());
      recordControllerCalls('secretsmanager', this.smServer.calls.all());
    }
    this.ecs.destroy();
    this.sm.destroy();
    if (this.ownsServers) {
      const { ecs, secretsManager, consul } = this.servers();
      await Promise.all([ecs.close(), secretsManager.close(), consul.close()]);
    }
  }
}

export interface ConsulTokenStub {
  AccessorID: string;
  SecretID: string;
  Description: string;
  ServiceIdentities?: Array<{ ServiceName: string }>;
  Policies?: Array<{ ID: string; Name: string }>;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Starts an AclWorld before each test of the enclosing `describe`, hands it to `use`, and closes
 * it after the test.
 */
export function useAclWorld(use: (world: AclWorld) => void, options: WorldOptions = {}): void {
  let world: AclWorld | undefined;
  beforeEach(async () => {
    world = await AclWorld.start(options);
    use(world);
  });
  afterEach(async () => {
    await world!.close();
  });
}
