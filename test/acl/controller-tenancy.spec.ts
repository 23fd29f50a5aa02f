// `ecs-acl-controller controller` with partitions on (envtest Enterprise mode), through the real
// CLI: as consul-ecs v0.10, the served partition, the `cross-namespace-read` policy and the
// namespace of each served mesh task exist; unlike it, a deleted namespace comes back within a
// resync. A mesh task of another partition makes nothing.
import { expect } from 'chai';

import { moduleControllerConfig } from '../helpers/consul-ecs/run-consul-ecs-controller.js';
import { startTaskMetadataStub, type TaskMetadataStub } from '../helpers/consul-ecs/task-metadata-stub.js';
import { type ControllerProcess, spawnIamController } from './cli-process.js';
import { AclWorld, eventually, meshTagsIn, useAclWorld } from './world.js';

describe('controller (the consul-ecs v0.10 command) with partitions: namespaces', function () {
  this.timeout(40_000);
  let world: AclWorld;
  let stub: TaskMetadataStub | undefined;
  let controller: ControllerProcess | undefined;
  useAclWorld((started) => (world = started), { consul: { enterprise: true } });
  afterEach(async () => {
    controller?.child.kill('SIGKILL');
    await controller?.exited;
    controller = undefined;
    await stub?.close();
  });

  const scoped = meshTagsIn;
  const exists = async (path: string) => (await world.consul('GET', path)).status === 200;

  it('creates the partition, the cross-namespace-read policy and the served tasks’ namespaces, and restores a deleted namespace', async () => {
    await world.runTasks('web', 1, scoped('team1', 'team-a'));
    await world.runTasks('api', 1, scoped('elsewhere', 'team-b'));
    stub = await startTaskMetadataStub({ cluster: world.cluster, accountId: '123456789012' });
    const base = moduleControllerConfig({ consulHttpUrl: world.backends.consulUrl, grpcPort: 8502 });
    const config = {
      ...base,
      controller: { iamRolePath: '/consul-ecs/', partitionsEnabled: true, partition: 'team-a' },
    };
    controller = spawnIamController(world, stub.url, config, [
      '-resync-interval',
      '1s',
      '-listen-addr',
      '127.0.0.1:0',
    ]);
    await eventually('the partition', () => exists('/v1/partition/team-a') || undefined);
    await eventually(
      'the cross-namespace-read policy',
      () => exists('/v1/acl/policy/name/cross-namespace-read?partition=team-a&ns=default') || undefined,
    );
    await eventually(
      'the namespace team1',
      () => exists('/v1/namespace/team1?partition=team-a') || undefined,
    );
    await world.consul('DELETE', '/v1/namespace/team1?partition=team-a');
    await eventually('team1 restored', () => exists('/v1/namespace/team1?partition=team-a') || undefined);
    const metrics = await controller.metricsMatching(
      /acl_controller_tenancy_changes_total\{cluster="[^"]+",change="namespace_created"\} 2/,
      'two namespace creations counted',
    );
    expect(metrics).to.match(/informer_synced\{informer="ecs-tasks"\} 1/);
    expect(await exists('/v1/partition/team-b')).to.equal(false);
    expect(await exists('/v1/namespace/elsewhere?partition=team-a')).to.equal(false);
  });
});
