/**
 * runConsulEcsController: starts HashiCorp's consul-ecs v0.10.0 `controller` (the IAM-auth era's
 * controller, built by `scripts/build-consul-ecs.sh 0.10.0`) as a child process against the
 * envtest ECS server and a real Consul agent, configured as terraform-aws-consul-ecs
 * `modules/controller` configures it.
 *
 * How the unmodified binary is pointed at loopback:
 * - Cluster: ECS_CONTAINER_METADATA_URI_V4 names a TaskMetadataStub (its `Cluster`, as on Fargate,
 *   may be the cluster ARN).
 * - AWS: aws-sdk-go-v2's LoadDefaultConfig reads AWS_ENDPOINT_URL_ECS, so no proxy is needed.
 * - Consul: CONSUL_ECS_CONFIG_JSON (`consulServers.hosts`, `http.port`, TLS off) and
 *   CONSUL_HTTP_TOKEN. v0.10 also dials `grpc.port` before its first HTTP call (its server
 *   watcher, see controllers/consul-ecs-v010-controller-facts.md section 6), so the agent needs
 *   its plaintext gRPC port; `skipServerWatch` keeps it on the given host.
 *
 * Invariants: the child gets a clean environment (no inherited proxy, AWS or Consul variables),
 * static test credentials and HOME in a temp dir; `stop()` is spawnLogged's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { consulEcsBaseEnv, consulEcsBin, type LoggedChild, spawnLogged } from './run-consul-ecs.js';
import { startTaskMetadataStub, type TaskMetadataStub } from './task-metadata-stub.js';

export const CONSUL_ECS_CONTROLLER_VERSION = '0.10.0';

export interface ConsulEcsControllerOptions {
  /** The task metadata's `Cluster`: a short name or the cluster ARN. */
  readonly cluster: string;
  readonly accountId: string;
  readonly ecsUrl: string;
  /** Where the controller reaches Consul's HTTP API (loopback, plain HTTP). */
  readonly consulHttpUrl: string;
  readonly grpcPort: number;
  readonly consulToken: string;
  readonly iamRolePath?: string;
  readonly region?: string;
  readonly accessKeyId?: string;
}

export interface ConsulEcsControllerHandle extends LoggedChild {
  readonly metadata: TaskMetadataStub;
}

/** CONSUL_ECS_CONFIG_JSON as `modules/controller` renders it with TLS off. */
export function moduleControllerConfig(options: {
  readonly consulHttpUrl: string;
  readonly grpcPort: number;
  readonly iamRolePath?: string;
  /** The module's default is false; true keeps v0.10 on the given host (default here). */
  readonly skipServerWatch?: boolean;
}): Record<string, unknown> {
  const url = new URL(options.consulHttpUrl);
  return {
    controller: {
      iamRolePath: options.iamRolePath ?? '/consul-ecs/',
      partitionsEnabled: false,
      partition: '',
    },
    bootstrapDir: '/consul',
    consulServers: {
      hosts: url.hostname,
      skipServerWatch: options.skipServerWatch ?? true,
      defaults: { tls: false },
      http: { port: Number(url.port), https: false },
      grpc: { port: options.grpcPort },
    },
  };
}

export async function runConsulEcsController(
  options: ConsulEcsControllerOptions,
): Promise<ConsulEcsControllerHandle> {
  const region = options.region ?? 'us-east-1';
  const home = mkdtempSync(join(tmpdir(), 'consul-ecs-controller-home-'));
  const metadata = await startTaskMetadataStub({
    cluster: options.cluster,
    region,
    accountId: options.accountId,
  });
  const env: NodeJS.ProcessEnv = {
    ...consulEcsBaseEnv(home, metadata.url, region, options.accessKeyId ?? 'AKIDCONSULECS010'),
    AWS_ENDPOINT_URL_ECS: options.ecsUrl,
    CONSUL_HTTP_TOKEN: options.consulToken,
    CONSUL_ECS_CONFIG_JSON: JSON.stringify(moduleControllerConfig(options)),
  };
  const child = spawnLogged(consulEcsBin(CONSUL_ECS_CONTROLLER_VERSION), ['controller'], env, async () => {
    await metadata.close();
    rmSync(home, { recursive: true, force: true });
  });
  return { ...child, metadata };
}
