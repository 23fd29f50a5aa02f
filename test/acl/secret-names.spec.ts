// One secret, one service: two services whose secret names collide are never both served, so
// they never fight over the secret (issue 12). Through the real CLI, on envtest's Enterprise mode.
import { expect } from 'chai';

import { type ControllerProcess, spawnController } from './cli-process.js';
import { AclWorld, eventually, MESH, useAclWorld } from './world.js';

describe('one secret, one service, end to end', function () {
  this.timeout(60_000);
  let world: AclWorld;
  let controller: ControllerProcess | undefined;
  useAclWorld((started) => (world = started), { consul: { enterprise: true } });

  afterEach(async () => {
    controller?.child.kill('SIGKILL');
    await controller?.exited;
    controller = undefined;
  });

  const tags = (service: string, namespace: string) => [
    MESH,
    { key: 'consul.hashicorp.com/service-name', value: service },
    { key: 'consul.hashicorp.com/partition', value: 'default' },
    { key: 'consul.hashicorp.com/namespace', value: namespace },
  ];

  it('serves only the first of two services whose <prefix>-<svc>-<ns>-<partition> names collide; the secret never changes hands', async () => {
    const secretName = `${world.prefix}-a-b-c-default`;
    await world.createSecret(secretName);
    await world.runTasks('one', 1, tags('a-b', 'c'));
    await world.runTasks('two', 1, tags('a', 'b-c'));
    controller = spawnController(world, ['-partitions-enabled', '-resync-interval', '1s']);
    await controller.metricsMatching(
      /acl_controller_errors_total\{cluster="[^"]+",kind="secret_name_conflict"\} [1-9]/,
      'the conflict counted',
    );
    const first = await eventually('IDs in the secret', async () => {
      const value = await world.secretValue(secretName);
      return value.accessor_id ? value : undefined;
    });
    const before = world.ecsServer.calls.count('ListTasks');
    await eventually(
      'three more resyncs',
      async () => world.ecsServer.calls.count('ListTasks') >= before + 3,
    );
    expect(await world.secretValue(secretName), 'the secret never changed hands').to.deep.equal(first);
    expect(controller.output()).to.match(
      /is not served: its secret \S+-a-b-c-default is already used by prod\/default\/(c\/a-b|b-c\/a)/,
    );
    const written = world.smServer.calls
      .all()
      .filter((call) => call.operation === 'UpdateSecret' && call.resource?.includes(secretName));
    expect(written, 'one write of IDs into the shared secret').to.have.length(1);
  });
});
