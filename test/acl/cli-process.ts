/**
 * Runs the real `ecs-acl-controller acl-controller` (or `controller`) CLI as a child process
 * against an AclWorld's servers (envtest's or third-party ones), for tests that need a real process
 * (exit codes, SIGKILL, leader failover, the hostile-tenant cases).
 */
import { type ChildProcess, spawn } from 'node:child_process';

import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';
import { CLI, controllerArgs, controllerEnv } from '../helpers/controller-cli.js';
import { type AclWorld, eventually } from './world.js';

export interface ControllerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  readonly exited: Promise<number | null>;
  /** The ops server's URL, from the process's "ops server listening" log line. */
  opsUrl(): Promise<string>;
  /** The text of /metrics once `pattern` matches it (waits with a bound). */
  metricsMatching(pattern: RegExp, what: string): Promise<string>;
}

/** `env` overrides the environment built from the world (e.g. an unreachable CONSUL_HTTP_ADDR). */
export function spawnController(
  world: AclWorld,
  extra: readonly string[],
  env: Readonly<Record<string, string>> = {},
  /** The `-cluster` value, when not the world's cluster name (e.g. its ARN). */
  clusterFlag: string = world.cluster,
): ControllerProcess {
  const cluster = { cluster: clusterFlag, clientSecretArn: world.clientSecretArn, prefix: world.prefix };
  return spawnCli(world, [...controllerArgs([cluster]), ...extra], env);
}

/**
 * `ecs-acl-controller controller` (the consul-ecs v0.10 drop-in) as upstream's module runs it:
 * CONSUL_ECS_CONFIG_JSON, CONSUL_HTTP_TOKEN and the cluster from the task metadata at `metadataUrl`.
 */
export function spawnIamController(
  world: AclWorld,
  metadataUrl: string,
  config: unknown,
  extra: readonly string[],
  /** More environment (e.g. AWS_ENDPOINT_URL_SQS). */
  env: Readonly<Record<string, string>> = {},
): ControllerProcess {
  return spawnCli(world, [CLI, 'controller', ...extra], {
    CONSUL_HTTP_ADDR: '',
    CONSUL_ECS_CONFIG_JSON: JSON.stringify(config),
    ECS_CONTAINER_METADATA_URI_V4: metadataUrl,
    ...env,
  });
}

function spawnCli(
  world: AclWorld,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): ControllerProcess {
  const child = spawn(process.execPath, argv, {
    env: {
      // The parent's environment too, so c8 (NODE_V8_COVERAGE) covers the child.
      ...process.env,
      ...controllerEnv({
        ecsUrl: world.backends.ecsUrl,
        secretsManagerUrl: world.backends.secretsManagerUrl,
        consulUrl: world.backends.consulUrl,
        consulToken: world.backends.managementToken,
        accessKeyId: CONTROLLER_ACCESS_KEY_ID,
        secretAccessKey: 'test',
      }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': only then has all of the process's output been read.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const opsUrl = () => eventually('the ops server URL', () => /"url":"(http:[^"]+)"/.exec(output)?.[1]);
  return {
    child,
    pid: child.pid as number,
    output: () => output,
    exited,
    opsUrl,
    metricsMatching: async (pattern, what) => {
      const url = await opsUrl();
      return eventually(what, async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return pattern.test(text) ? text : undefined;
      });
    },
  };
}
