// A foreign configuration (issue 14), through the real CLI on envtest: no AWS_REGION (the region
// then comes from the task ARN in ECS task metadata, as consul-ecs takes it), no region and no
// metadata, no credentials; and tokens consul-ecs described with the cluster's other name (the
// ARN, as it writes on Fargate, while our Terraform module passes the short name, or the other
// way round) are adopted with their IDs: no rotation, nothing left behind.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';

import { expect } from 'chai';

import { startTaskMetadataStub, type TaskMetadataStub } from '../helpers/consul-ecs/task-metadata-stub.js';
import { CLI } from '../helpers/controller-cli.js';
import { type ControllerProcess, spawnController } from './cli-process.js';
import { AclWorld, eventually, useAclWorld } from './world.js';

const ACCOUNT = '123456789012';

describe('a foreign configuration, through the real CLI', function () {
  this.timeout(60_000);
  let world: AclWorld;
  let controllers: ControllerProcess[] = [];
  let stub: TaskMetadataStub | undefined;
  useAclWorld((started) => (world = started));

  afterEach(async () => {
    for (const controller of controllers) controller.child.kill('SIGKILL');
    await Promise.all(controllers.map((controller) => controller.exited));
    controllers = [];
    await stub?.close();
    stub = undefined;
  });

  const start = (flags: readonly string[], env: Record<string, string> = {}) => {
    const controller = spawnController(
      world,
      ['-resync-interval', '1s', '-gc-grace-period', '0', ...flags],
      env,
    );
    controllers.push(controller);
    return controller;
  };

  it('takes the region from the task ARN in task metadata when AWS_REGION is unset', async () => {
    stub = await startTaskMetadataStub({ cluster: world.cluster, region: 'eu-west-3', accountId: ACCOUNT });
    await world.createServiceSecret('web');
    await world.runTasks('web');
    const controller = start([], { AWS_REGION: '', ECS_CONTAINER_METADATA_URI_V4: stub.url });
    await eventually('the token', async () => (await world.ownServiceTokens()).length === 1);
    expect(controller.output()).to.not.contain('Region is missing');
    expect(stub.requests).to.be.greaterThan(0);
  });

  it('exits 2 with a clear message when neither the environment nor task metadata names a region', () => {
    const result = spawnSync(
      process.execPath,
      [CLI, 'acl-controller', '-cluster', 'c', '-secret-name-prefix', 'p', '-consul-client-secret-arn', 's'],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' },
      },
    );
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain('no AWS region: set AWS_REGION');
  });

  it('exits 2 with a clear message when there are no AWS credentials', () => {
    const result = spawnSync(
      process.execPath,
      [CLI, 'acl-controller', '-cluster', 'c', '-secret-name-prefix', 'p', '-consul-client-secret-arn', 's'],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
          AWS_CONFIG_FILE: '/nonexistent',
          HOME: '/nonexistent',
        },
        timeout: 30_000,
      },
    );
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain('no AWS credentials');
  });

  for (const [written, given] of [
    ['the ARN (consul-ecs on Fargate)', 'the short name (our Terraform module)'],
    ['the short name', 'the ARN'],
  ] as const) {
    it(`adopts tokens described with ${written} when -cluster is ${given}: same IDs, no rotation, nothing left`, async () => {
      const arn = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${world.cluster}`;
      const describedAs = written.startsWith('the ARN') ? arn : world.cluster;
      const flag = given.startsWith('the ARN') ? arn : world.cluster;
      const ids = { accessor_id: randomUUID(), token: randomUUID() };
      await world.createServiceSecret('web', JSON.stringify(ids));
      const made = await world.consul('PUT', '/v1/acl/token', {
        AccessorID: ids.accessor_id,
        SecretID: ids.token,
        Description: `Token for web service\nconsul.hashicorp.com/cluster: ${describedAs}`,
        ServiceIdentities: [{ ServiceName: 'web' }],
      });
      expect(made.status).to.equal(200);
      const tasks = await world.runTasks('web');
      const controller = spawnController(
        world,
        ['-resync-interval', '1s', '-gc-grace-period', '0'],
        {},
        flag,
      );
      controllers.push(controller);
      const lists = () => world.ecsServer.calls.count('ListTasks');
      await eventually('three relists', async () => lists() >= 3);
      expect(await world.secretValue(`${world.prefix}-web`), 'no rotation').to.deep.equal(ids);
      const all = await world.serviceTokens();
      expect(
        all.map((token) => token.AccessorID),
        'the adopted token, and no other',
      ).to.deep.equal([ids.accessor_id]);
      await world.stopTasks(tasks);
      await eventually(
        'the adopted token collected once the service is gone',
        async () => (await world.serviceTokens()).length === 0,
      );
    });
  }
});
