/**
 * AclWorld: an end-to-end test world for the ACL controller: envtest ECS, Secrets Manager and
 * Consul servers on loopback, real SDK clients to drive them, and the real controller (the same
 * container the CLI builds) pointed at them over HTTP.
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
import { type Container } from 'inversify';

import { aclControllersModule, awsClientOptions } from '../../controllers/acl-module.js';
import { type AclControllerConfig } from '../../controllers/shared/acl-config.js';
import { consulSettingsFromEnv } from '../../src/consul/consul-settings.js';
import { createContainer } from '../../src/di/container.js';
import { frameworkModule } from '../../src/di/framework-module.js';
import { TYPES } from '../../src/di/types.js';
import {
  type ConsulServer,
  type ConsulServerOptions,
  startConsulServer,
} from '../../src/envtest/consul/server.js';
import { type EcsServer, startEcsServer, type EcsServerOptions } from '../../src/envtest/ecs/server.js';
import {
  type SecretsManagerServer,
  startSecretsManagerServer,
} from '../../src/envtest/secretsmanager/server.js';
import { type Manager } from '../../src/manager/manager.js';
import { CONTROLLER_ACCESS_KEY_ID, recordControllerCalls } from '../helpers/aws-actions.js';

const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
/** The controller signs with its own key, so the call logs tell its calls from the test's. */
const CONTROLLER_CREDENTIALS = {
  accessKeyId: CONTROLLER_ACCESS_KEY_ID,
  secretAccessKey: 'controller-secret',
};
export const MESH = { key: 'consul.hashicorp.com/mesh', value: 'true' };

export interface WorldOptions {
  readonly consul?: ConsulServerOptions;
  readonly ecs?: EcsServerOptions;
  readonly cluster?: string;
}

/** Where the controller connects (a proxy in front of a server, say), and its AWS timeout. */
export interface ControllerOptions {
  readonly consulUrl?: string;
  readonly ecsUrl?: string;
  readonly secretsManagerUrl?: string;
  /** Per-attempt AWS request timeout (default: the CLI's, awsClientOptions()). */
  readonly awsRequestTimeoutMs?: number;
}

export interface RunningController {
  readonly manager: Manager;
  readonly container: Container;
  readonly logs: string[];
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export class AclWorld {
  readonly cluster: string;
  readonly prefix = 'test';
  clientSecretArn = '';
  private readonly controllers: RunningController[] = [];

  private constructor(
    readonly ecsServer: EcsServer,
    readonly smServer: SecretsManagerServer,
    public consulServer: ConsulServer,
    readonly ecs: ECSClient,
    readonly sm: SecretsManagerClient,
    cluster: string,
  ) {
    this.cluster = cluster;
  }

  static async start(options: WorldOptions = {}): Promise<AclWorld> {
    const [ecsServer, smServer, consulServer] = await Promise.all([
      startEcsServer(options.ecs),
      startSecretsManagerServer(),
      startConsulServer(options.consul),
    ]);
    const client = { region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 };
    const world = new AclWorld(
      ecsServer,
      smServer,
      consulServer,
      new ECSClient({ ...client, endpoint: ecsServer.url }),
      new SecretsManagerClient({ ...client, endpoint: smServer.url }),
      options.cluster ?? 'prod',
    );
    await world.ecs.send(new CreateClusterCommand({ clusterName: world.cluster }));
    world.clientSecretArn = await world.createSecret(`${world.prefix}-consul-client-token`, '{}');
    return world;
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
        config: this.config(overrides),
        clients: {
          ecs: new ECSClient({ ...client, endpoint: options.ecsUrl ?? this.ecsServer.url }),
          secretsManager: new SecretsManagerClient({
            ...client,
            endpoint: options.secretsManagerUrl ?? this.smServer.url,
          }),
          consul: consulSettingsFromEnv({
            CONSUL_HTTP_ADDR: options.consulUrl ?? this.consulServer.url,
            CONSUL_HTTP_TOKEN: token ?? this.consulServer.managementToken,
          }),
        },
        watchWaitMs: 2_000,
      }),
    );
    const manager = container.get<Manager>(TYPES.Manager);
    await manager.start();
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
    const result = await this.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: 'app', image: 'app:latest', memory: 128 }],
        ...(tags.length > 0 ? { tags } : {}),
      }),
    );
    return result.taskDefinition?.taskDefinitionArn as string;
  }

  /** Runs `count` tasks of `family` carrying `tags` (mesh by default). */
  async runTasks(family: string, count = 1, tags: Tag[] = [MESH]): Promise<string[]> {
    await this.registerTaskDefinition(family, []);
    const arns: string[] = [];
    for (let left = count; left > 0; left -= 10) {
      const result = await this.ecs.send(
        new RunTaskCommand({
          cluster: this.cluster,
          taskDefinition: family,
          count: Math.min(10, left),
          tags,
        }),
      );
      arns.push(...(result.tasks ?? []).map((task) => task.taskArn as string));
    }
    return arns;
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
    const response = await fetch(`${this.consulServer.url}${path}`, {
      method,
      headers: { 'x-consul-token': this.consulServer.managementToken },
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
  async serviceTokens(): Promise<ConsulTokenStub[]> {
    const { json } = await this.consul<ConsulTokenStub[]>('GET', '/v1/acl/tokens');
    return json.filter((token) => token.Description.startsWith('Token for '));
  }

  async close(): Promise<void> {
    for (const controller of this.controllers) await controller.manager.stop();
    recordControllerCalls('ecs', this.ecsServer.calls.all());
    recordControllerCalls('secretsmanager', this.smServer.calls.all());
    this.ecs.destroy();
    this.sm.destroy();
    await Promise.all([this.ecsServer.close(), this.smServer.close(), this.consulServer.close()]);
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
