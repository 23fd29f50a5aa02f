// Where scripts/setup-backends.sh installs the third-party servers.
// Invariant: these paths are outside the clone and match the script's layout exactly.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(): string {
  return process.env.ECS_ACL_CACHE ?? join(homedir(), '.cache', 'ecs-acl-controller');
}

export function venvBin(name: string): string {
  return join(cacheDir(), 'venv', 'bin', name);
}

export const CONSUL_BUILD_VERSION = '1.14.8';

export function consulBin(): string {
  return join(cacheDir(), `consul-${CONSUL_BUILD_VERSION}`, 'consul');
}
