import { expect } from 'chai';

import { AclWorld, eventually, MESH, useAclWorld } from './world.js';

describe('partitions and namespaces (envtest Enterprise mode), end to end', function () {
  this.timeout(30_000);
  let world: AclWorld;
  useAclWorld((started) => (world = started), { consul: { enterprise: true } });

  const scoped = (namespace: string) => [
    MESH,
    { key: 'consul.hashicorp.com/partition', value: 'default' },
    { key: 'consul.hashicorp.com/namespace', value: namespace },
  ];

  it('uses <prefix>-<svc>-<ns>-<partition> secrets and creates the token in the service namespace', async () => {
    await world.createSecret(`${world.prefix}-web-team1-default`);
    await world.runTasks('web', 1, scoped('team1'));
    const controller = await world.startController({ partitionsEnabled: true, partition: 'default' });
    const secret = await eventually('IDs in the secret', async () => {
      const value = await world.secretValue(`${world.prefix}-web-team1-default`);
      return value.accessor_id ? value : undefined;
    });
    const read = await eventually('the token in team1', async () => {
      const response = await world.consul<{ Namespace: string; Partition: string; Description: string }>(
        'GET',
        `/v1/acl/token/${secret.accessor_id}?ns=team1&partition=default`,
      );
      return response.status === 200 ? response.json : undefined;
    });
    expect(read.Namespace).to.equal('team1');
    expect(read.Partition).to.equal('default');
    expect(read.Description).to.equal(
      'Token for web service\nconsul.hashicorp.com/cluster: prod\nconsul.hashicorp.com/partition: default\nconsul.hashicorp.com/namespace: team1',
    );
    expect(await controller.metrics()).to.match(/^acl_controller_client_token_ready\{cluster="[^"]+"\} 1$/m);
  });

  it('skips a task with only one of the partition and namespace tags, with an error and a metric', async () => {
    await world.runTasks('web', 1, [MESH, { key: 'consul.hashicorp.com/namespace', value: 'team1' }]);
    const controller = await world.startController({ partitionsEnabled: true, partition: 'default' });
    const metrics = await eventually('the invalid-tags metric', async () => {
      const text = await controller.metrics();
      return /acl_controller_errors_total\{cluster="[^"]+",kind="invalid_task_tags"\} 1/.test(text)
        ? text
        : undefined;
    });
    expect(metrics).to.match(/^acl_controller_managed_services\{cluster="[^"]+"\} 0$/m);
    expect(
      controller.logs.some((line) => line.includes('requires both partition and namespace tags')),
    ).to.equal(true);
  });
});
