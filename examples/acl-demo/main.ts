/**
 * `npm run demo`: the ACL controller on the embedded envtest servers. It starts the ECS, Secrets
 * Manager and Consul servers on loopback, starts the real controller (the same container the CLI
 * builds) against them over HTTP, plays a scripted story, prints a timeline of what the
 * controller did and why, and exits 0 by itself. This file is a composition root.
 */
import 'reflect-metadata';

import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { aclControllersModule } from '../../controllers/module/acl-module.js';
import { consulSettingsFromEnv } from '../../src/consul/consul-settings.js';
import { createContainer } from '../../src/di/container.js';
import { frameworkModule } from '../../src/di/framework-module.js';
import { TYPES } from '../../src/di/types.js';
import { startConsulServer } from '../../envtest/consul/server.js';
import { startEcsServer } from '../../envtest/ecs/server.js';
import { startSecretsManagerServer } from '../../envtest/secretsmanager/server.js';
import { type Manager } from '../../src/manager/manager.js';
import { STORY, type StoryWorld } from './story.js';
import { timelineSink, say } from './timeline.js';

const GRACE_MS = 3_000;
const credentials = { accessKeyId: 'AKIDDEMO', secretAccessKey: 'demo' };

const [ecsServer, smServer, consulServer] = await Promise.all([
  startEcsServer({ timings: { provisioningMs: 200, pendingMs: 300, stoppingMs: 300 } }),
  startSecretsManagerServer(),
  startConsulServer({ version: '1.15' }),
]);
say(`envtest servers: ECS ${ecsServer.url}, Secrets Manager ${smServer.url}, Consul ${consulServer.url}`);
const client = { region: 'us-east-1', credentials };
const world: StoryWorld = {
  ecs: new ECSClient({ ...client, endpoint: ecsServer.url }),
  sm: new SecretsManagerClient({ ...client, endpoint: smServer.url }),
  cluster: 'demo',
  prefix: 'demo',
  consulUrl: consulServer.url,
  consulToken: consulServer.managementToken,
};
await world.ecs.send(new CreateClusterCommand({ clusterName: world.cluster }));
const clientSecret = await world.sm.send(
  new CreateSecretCommand({ Name: 'demo-consul-client-token', SecretString: '{}' }),
);

const container = createContainer(
  frameworkModule({
    logLevel: 'info',
    logSink: timelineSink,
    manager: { opsPort: 0, opsHost: '127.0.0.1', cacheSyncTimeoutMs: 0, gracefulShutdownMs: 5_000 },
  }),
  aclControllersModule({
    config: {
      cluster: world.cluster,
      secretNamePrefix: world.prefix,
      clientSecretArn: clientSecret.ARN as string,
      partitionsEnabled: false,
      gcGracePeriodMs: GRACE_MS,
      resyncIntervalMs: 2_000,
      concurrency: 4,
      dryRun: false,
      createSecrets: false,
      secretRecheckMs: 300_000,
      preProvision: true,
      ecsReadRate: 10,
    },
    clients: {
      ecs: new ECSClient({ ...client, endpoint: ecsServer.url }),
      secretsManager: new SecretsManagerClient({ ...client, endpoint: smServer.url }),
      consul: consulSettingsFromEnv({
        CONSUL_HTTP_ADDR: consulServer.url,
        CONSUL_HTTP_TOKEN: consulServer.managementToken,
      }),
    },
  }),
);
const manager = container.get<Manager>(TYPES.Manager);
await manager.start();
say(
  `controller running; metrics at ${manager.opsUrl}/metrics (grace period shortened to ${GRACE_MS / 1000}s)`,
);

let failed = false;
for (const step of STORY) {
  say(`STORY: ${step.say}`);
  await step.act(world);
  const outcome = await waitFor(() => step.until(world), 20_000);
  if (outcome === undefined) {
    say('the controller did not get there in 20 s');
    failed = true;
    break;
  }
  say(`  => ${outcome}`);
}

const metrics = await (await fetch(`${manager.opsUrl}/metrics`)).text();
const summary = metrics
  .split('\n')
  .filter((line) => /^acl_controller_tokens_(created|deleted|repaired)_total\{.*\} [1-9]/.test(line));
say(`metrics: ${summary.join('; ')}`);
const { graceful } = await manager.stop();
world.ecs.destroy();
world.sm.destroy();
await Promise.all([ecsServer.close(), smServer.close(), consulServer.close()]);
say(failed ? 'demo FAILED' : 'demo finished');
process.exit(failed || !graceful ? 1 : 0);

async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}
