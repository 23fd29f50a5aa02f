import { expect } from 'chai';

import { CensusBoard } from '../../examples/task-census/census-board.js';
import { TaskCensusController } from '../../examples/task-census/census-controller.js';
import { TYPES } from '../../src/di/types.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type Manager } from '../../src/manager/manager.js';
import { exampleContainer, GatedTaskSource } from '../helpers/example-container.js';

describe('the real container (inversify 8, legacy decorators, emitted parameter metadata)', () => {
  it('resolves the manager and every controller plugin collected with multiInject', () => {
    const container = exampleContainer(new GatedTaskSource());
    const manager = container.get<Manager>(TYPES.Manager);
    const plugins = container.getAll<ControllerPlugin>(TYPES.ControllerPlugin);
    expect(plugins.map((plugin) => plugin.name)).to.deep.equal(['task-census']);
    expect(manager.controllers.map((controller) => controller.name)).to.deep.equal(['task-census']);
  });

  it('injects a constructor parameter by its class type alone, through emitted metadata', () => {
    const container = exampleContainer(new GatedTaskSource());
    const controller = container.getAll<ControllerPlugin>(TYPES.ControllerPlugin)[0];
    expect(controller).to.be.instanceOf(TaskCensusController);
    const types = Reflect.getMetadata('design:paramtypes', TaskCensusController) as unknown[];
    expect(types[1]).to.equal(CensusBoard);
    expect((controller as unknown as { board: unknown }).board).to.equal(container.get(CensusBoard));
  });

  it('keeps two containers fully independent (no global registry or singleton)', () => {
    const a = exampleContainer(new GatedTaskSource());
    const b = exampleContainer(new GatedTaskSource());
    expect(a.get(TYPES.Registry)).to.not.equal(b.get(TYPES.Registry));
    expect(a.get(TYPES.Manager)).to.not.equal(b.get(TYPES.Manager));
  });
});

describe('the real container of the ACL controller', () => {
  it('resolves the manager with all three ACL controllers and their informers', async () => {
    const { ECSClient } = await import('@aws-sdk/client-ecs');
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const { aclControllersModule } = await import('../../controllers/module/acl-module.js');
    const { createContainer } = await import('../../src/di/container.js');
    const { frameworkModule } = await import('../../src/di/framework-module.js');
    const { consulSettingsFromEnv } = await import('../../src/consul/consul-settings.js');
    const endpoint = 'http://127.0.0.1:9';
    const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
    const container = createContainer(
      frameworkModule({ logLevel: 'error' }),
      aclControllersModule({
        config: {
          cluster: 'c',
          secretNamePrefix: 'p',
          clientSecretArn: 'arn',
          partitionsEnabled: false,
          gcGracePeriodMs: 0,
          resyncIntervalMs: 30_000,
          concurrency: 2,
          dryRun: false,
          createSecrets: false,
          secretRecheckMs: 300_000,
          preProvision: true,
          ecsReadRate: 10,
        },
        clients: {
          ecs: new ECSClient({ endpoint, region: 'us-east-1', credentials }),
          secretsManager: new SecretsManagerClient({ endpoint, region: 'us-east-1', credentials }),
          consul: consulSettingsFromEnv({ CONSUL_HTTP_ADDR: endpoint }),
        },
      }),
    );
    const manager = container.get<Manager>(TYPES.Manager);
    expect(manager.controllers.map((controller) => controller.name)).to.deep.equal([
      'service-token',
      'client-token',
      'garbage-collector',
    ]);
    expect(manager.controllers[0].maxConcurrentReconciles).to.equal(2);
  });
});
