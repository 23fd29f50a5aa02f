/**
 * Runs the real `ecs-acl-controller acl-controller` CLI as a child process against an AclWorld's
 * envtest servers, for tests that need a real process (exit codes, SIGKILL, leader failover).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';
import { type AclWorld } from './world.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface ControllerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  readonly exited: Promise<number | null>;
}

/** `env` overrides the environment built from the world (e.g. an unreachable CONSUL_HTTP_ADDR). */
export function spawnController(
  world: AclWorld,
  extra: readonly string[],
  env: Readonly<Record<string, string>> = {},
): ControllerProcess {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'acl-controller',
      '-cluster',
      world.cluster,
      '-consul-client-secret-arn',
      world.clientSecretArn,
      '-secret-name-prefix',
      world.prefix,
      '-listen-addr',
      '127.0.0.1:0',
      ...extra,
    ],
    {
      env: {
        ...process.env,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: CONTROLLER_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_ECS: world.ecsServer.url,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: world.smServer.url,
        CONSUL_HTTP_ADDR: world.consulServer.url,
        CONSUL_HTTP_TOKEN: world.consulServer.managementToken,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, pid: child.pid as number, output: () => output, exited };
}
