/**
 * runConsulEcs: starts HashiCorp's consul-ecs v0.4.3 `acl-controller` as a child process against
 * the envtest ECS and Secrets Manager servers and a loopback Consul (envtest's or a real agent),
 * and hands back its logs and a stop().
 *
 * How the unmodified binary is pointed at loopback:
 * - Cluster: ECS_CONTAINER_METADATA_URI_V4 names a TaskMetadataStub.
 * - Consul: CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN (read by consul/api's DefaultConfig).
 * - AWS: aws-sdk-go v1.42.34 has no endpoint variable, so HTTPS_PROXY names an AwsEndpointProxy
 *   that terminates TLS for ecs/secretsmanager.<region>.amazonaws.com with a throwaway CA the SDK
 *   trusts through AWS_CA_BUNDLE, and forwards to the envtest servers. Go never proxies loopback
 *   addresses, so the Consul and metadata calls go direct.
 *
 * Invariants:
 * - The child gets a clean environment (no inherited proxy, AWS or Consul variables), static
 *   test credentials, and HOME in a temp dir (no ~/.aws files); HTTP_PROXY also names the proxy,
 *   which refuses everything but the two mapped hosts.
 * - `stop()` sends SIGTERM (consul-ecs has no handler, so it exits), SIGKILL after 5 s, then closes
 *   the stub and the proxy and removes the temp files. It is safe to call twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { type AwsEndpointProxy, startAwsEndpointProxy } from './aws-endpoint-proxy.js';
import { makeLoopbackCerts } from './loopback-certs.js';
import { startTaskMetadataStub, type TaskMetadataStub } from './task-metadata-stub.js';

export const CONSUL_ECS_VERSION = '0.4.3';

function cacheDir(): string {
  return process.env.ECS_ACL_CACHE ?? join(homedir(), '.cache', 'ecs-acl-controller');
}

/** Where scripts/build-consul-ecs.sh puts the binary (CONSUL_ECS_BIN overrides). */
export function consulEcsBin(version = CONSUL_ECS_VERSION): string {
  return (
    (version === CONSUL_ECS_VERSION ? process.env.CONSUL_ECS_BIN : undefined) ??
    join(cacheDir(), `consul-ecs-${version}`, 'consul-ecs')
  );
}

/**
 * Why the binary is unavailable (undefined when it is there): its path and, when
 * scripts/build-consul-ecs.sh failed, the exact error it recorded.
 */
export function consulEcsUnavailable(version = CONSUL_ECS_VERSION): string | undefined {
  const bin = consulEcsBin(version);
  if (existsSync(bin)) return undefined;
  const errorFile = join(
    cacheDir(),
    version === CONSUL_ECS_VERSION ? 'consul-ecs-build-error.txt' : `consul-ecs-${version}-build-error.txt`,
  );
  if (!existsSync(errorFile))
    return `consul-ecs binary not found at ${bin}; run scripts/build-consul-ecs.sh ${version}`;
  return `consul-ecs binary not found at ${bin}; ${errorFile}:\n${readFileSync(errorFile, 'utf8').trimEnd()}`;
}

export interface ConsulEcsOptions {
  readonly cluster: string;
  readonly clientSecretArn: string;
  readonly secretNamePrefix: string;
  readonly ecsUrl: string;
  readonly secretsManagerUrl: string;
  readonly consulUrl: string;
  readonly consulToken: string;
  readonly region?: string;
  /** The access key ID it signs with (default AKIDTEST), so call logs can tell its calls apart. */
  readonly accessKeyId?: string;
  readonly binary?: string;
  /** Extra flags after the required ones (e.g. -partitions-enabled). */
  readonly extraArgs?: readonly string[];
}

export interface ConsulEcsHandle extends LoggedChild {
  readonly proxy: AwsEndpointProxy;
  readonly metadata: TaskMetadataStub;
}

export async function runConsulEcs(options: ConsulEcsOptions): Promise<ConsulEcsHandle> {
  const region = options.region ?? 'us-east-1';
  const ecsHost = `ecs.${region}.amazonaws.com`;
  const smHost = `secretsmanager.${region}.amazonaws.com`;
  const certs = makeLoopbackCerts([ecsHost, smHost]);
  const home = mkdtempSync(join(tmpdir(), 'consul-ecs-home-'));
  const metadata = await startTaskMetadataStub({ cluster: options.cluster, region });
  const proxy = await startAwsEndpointProxy(
    { [ecsHost]: options.ecsUrl, [smHost]: options.secretsManagerUrl },
    certs,
  );
  const env: NodeJS.ProcessEnv = {
    ...consulEcsBaseEnv(home, metadata.url, region, options.accessKeyId ?? 'AKIDTEST'),
    AWS_CA_BUNDLE: certs.caFile,
    HTTPS_PROXY: proxy.url,
    HTTP_PROXY: proxy.url,
    NO_PROXY: '127.0.0.1,localhost,::1',
    CONSUL_HTTP_ADDR: options.consulUrl,
    CONSUL_HTTP_TOKEN: options.consulToken,
  };
  const args = [
    'acl-controller',
    '-consul-client-secret-arn',
    options.clientSecretArn,
    '-secret-name-prefix',
    options.secretNamePrefix,
    ...(options.extraArgs ?? []),
  ];
  const child = spawnLogged(options.binary ?? consulEcsBin(), args, env, async () => {
    await Promise.all([proxy.close(), metadata.close()]);
    certs.remove();
    rmSync(home, { recursive: true, force: true });
  });
  return { ...child, proxy, metadata };
}

/**
 * What every consul-ecs child starts from (nothing inherited): PATH, a temp HOME (no ~/.aws), the
 * task metadata endpoint, the region, static test credentials and no instance metadata.
 */
export function consulEcsBaseEnv(
  home: string,
  metadataUrl: string,
  region: string,
  accessKeyId: string,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ECS_CONTAINER_METADATA_URI_V4: metadataUrl,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** A consul-ecs child process: its output lines, its exit, and a stop() that cleans up after it. */
export interface LoggedChild {
  readonly pid: number | undefined;
  /** stdout and stderr lines, in arrival order. */
  readonly logs: readonly string[];
  /** The exit code once the process has exited (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Spawns `bin args` with exactly `env`, collecting stdout and stderr lines. `stop()` sends SIGTERM,
 * SIGKILL after 5 s, then runs `cleanup`; it is safe to call twice.
 */
export function spawnLogged(
  bin: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cleanup: () => Promise<void>,
): LoggedChild {
  const child: ChildProcess = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => logs.push(line));
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (error) => {
      logs.push(`spawn error: ${error.message}`);
      resolve(-1);
    });
  });
  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await cleanup();
  };
  return { pid: child.pid, logs, exited, stop: () => (stopped ??= stop()) };
}
