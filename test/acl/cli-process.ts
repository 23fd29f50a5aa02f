/**
 * Runs the real `ecs-acl-controller acl-controller` CLI as a child process against an AclWorld's
 * envtest servers, for tests that need a real process (exit codes, SIGKILL, leader failover).
 */
import { type ChildProcess, spawn } from 'node:child_process';

import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';
import { controllerArgs, controllerEnv } from '../helpers/controller-cli.js';
import { type AclWorld } from './world.js';

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
  const child = spawn(process.execPath, [...controllerArgs([world]), ...extra], {
    env: {
      // The parent's environment too, so c8 (NODE_V8_COVERAGE) covers the child.
      ...process.env,
      ...controllerEnv({
        ecsUrl: world.ecsServer.url,
        secretsManagerUrl: world.smServer.url,
        consulUrl: world.consulServer.url,
        consulToken: world.consulServer.managementToken,
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
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, pid: child.pid as number, output: () => output, exited };
}
