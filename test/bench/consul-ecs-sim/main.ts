/**
 * Child-process entry of the consul-ecs v0.4.3 SIMULATION (legacy-poller.ts): reads the same
 * environment and flags the real binary would get, polls until SIGTERM. Used by the benchmark only
 * when the real binary is unavailable.
 *
 * Usage: node dist/test/bench/consul-ecs-sim/main.js -cluster C -consul-client-secret-arn ARN -secret-name-prefix P, with
 * AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL_SECRETS_MANAGER, CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { LegacyPoller } from './legacy-poller.js';

function flag(name: string): string {
  const i = process.argv.indexOf(`-${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`flag -${name} is required`);
  return value;
}

const poller = new LegacyPoller({
  cluster: flag('cluster'),
  clientSecretArn: flag('consul-client-secret-arn'),
  secretNamePrefix: flag('secret-name-prefix'),
  ecs: new ECSClient({}),
  secretsManager: new SecretsManagerClient({}),
  consulUrl: process.env.CONSUL_HTTP_ADDR ?? 'http://127.0.0.1:8500',
  consulToken: process.env.CONSUL_HTTP_TOKEN ?? '',
  log: (line) => console.log(line),
});
process.once('SIGTERM', () => {
  poller.stop();
  process.exit(0);
});
poller.start().then(
  () => console.log('simulated consul-ecs v0.4.3 acl-controller started'),
  (error: unknown) => {
    console.error(`startup failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
