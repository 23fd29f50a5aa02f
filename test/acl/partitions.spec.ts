import { CreateServiceCommand } from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { type AclDeps, aclDepsId } from '../../controllers/adapters/acl-deps.js';
import {
  AclWorld,
  type ConsulTokenStub,
  eventually,
  MESH,
  type RunningController,
  useAclWorld,
  meshTagsIn,
} from './world.js';

/** A sample of the foreign-partition skip counter, for tasks or ECS services. */
const skipped = (resource: 'task' | 'ecs_service', count: number) =>
  new RegExp(
    `^acl_controller_skipped_total\\{cluster="[^"]+",resource="${resource}",reason="foreign_partition"\\} ${count}$`,
    'm',
  );

describe('partitions and namespaces (envtest Enterprise mode), end to end', function () {
  this.timeout(30_000);
  let world: AclWorld;
  useAclWorld((started) => (world = started), { consul: { enterprise: true } });

  const scoped = meshTagsIn;
  const partitioned = { partitionsEnabled: true, partition: 'default' };

  /** Every "Token for …" token of `partition`, in all its namespaces. */
  const serviceTokensIn = async (partition: string) => {
    const { status, json } = await world.consul<ConsulTokenStub[]>(
      'GET',
      `/v1/acl/tokens?partition=${partition}&ns=*`,
    );
    expect(status).to.equal(200);
    return json.filter((token) => token.Description.startsWith('Token for '));
  };

  /** Waits until `controller` exports a metric sample matching `pattern` (bounded). */
  const metricMatches = (controller: RunningController, what: string, pattern: RegExp) =>
    eventually(what, async () => {
      const text = await controller.metrics();
      return pattern.test(text) ? text : undefined;
    });

  it('uses <prefix>-<svc>-<ns>-<partition> secrets and creates the token in the service namespace', async () => {
    await world.createSecret(`${world.prefix}-web-team1-default`);
    await world.runTasks('web', 1, scoped('team1'));
    const controller = await world.startController(partitioned);
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
    // The client token is made by its own controller, concurrently: wait for it, do not sample once.
    await metricMatches(
      controller,
      'the client token to be ready',
      /^acl_controller_client_token_ready\{cluster="[^"]+"\} 1$/m,
    );
  });

  it('skips a task with only one of the partition and namespace tags, with an error and a metric', async () => {
    await world.runTasks('web', 1, [MESH, { key: 'consul.hashicorp.com/namespace', value: 'team1' }]);
    const controller = await world.startController(partitioned);
    const metrics = await metricMatches(
      controller,
      'the invalid-tags metric',
      /acl_controller_errors_total\{cluster="[^"]+",kind="invalid_task_tags"\} 1/,
    );
    expect(metrics).to.match(/^acl_controller_managed_services\{cluster="[^"]+"\} 0$/m);
    expect(
      controller.logs.some((line) => line.includes('requires both partition and namespace tags')),
    ).to.equal(true);
  });

  it('serves only its partition: a task of another partition gets no token and no secret write', async () => {
    const foreignSecret = `${world.prefix}-api-team1-other`;
    await world.createSecret(`${world.prefix}-web-team1-default`);
    await world.createSecret(foreignSecret);
    const [foreignTask] = await world.runTasks('api', 1, scoped('team1', 'other'));
    const [ownTask] = await world.runTasks('web', 1, scoped('team1'));
    const controller = await world.startController(partitioned);

    await metricMatches(controller, 'the foreign task counted as skipped', skipped('task', 1));
    await eventually('a token for web in default/team1', async () =>
      (await serviceTokensIn('default')).some((token) => token.Description.startsWith('Token for web ')),
    );
    // Let the task informer relist a few times, so a late reaction to the foreign task would show.
    const lists = world.ecsServer.calls.count('ListTasks');
    await eventually('three more task relists', () => world.ecsServer.calls.count('ListTasks') >= lists + 3);

    expect(await serviceTokensIn('other')).to.deep.equal([]);
    expect(await world.secretValue(foreignSecret)).to.deep.equal({});
    const touched = world.smServer.calls.all().filter((call) => call.resource === foreignSecret);
    expect(
      touched.map((call) => call.operation),
      'calls naming the foreign secret',
    ).to.deep.equal([
      'CreateSecret',
      'GetSecretValue', // the test's own read just above
    ]);
    const metrics = await controller.metrics();
    expect(metrics).to.match(skipped('task', 1));
    expect(metrics).to.match(/^acl_controller_managed_services\{cluster="[^"]+"\} 1$/m);
    expect(controller.logs.some((line) => line.includes('skipping task in external partition'))).to.equal(
      true,
    );

    // Once both tasks stop, nothing is left: web's token is collected, and nothing was ever made
    // for the foreign one.
    await world.stopTasks([foreignTask!, ownTask!]);
    await eventually('no service token left in default', async () =>
      (await serviceTokensIn('default')).length === 0 ? true : undefined,
    );
    expect(await serviceTokensIn('other')).to.deep.equal([]);
    expect(await world.secretValue(foreignSecret)).to.deep.equal({});
    expect(await controller.metrics()).to.match(skipped('task', 1));
  });

  it('does not pre-provision an ECS service of another partition', async () => {
    await world.registerTaskDefinition('api', scoped('team1', 'other'));
    await world.ecs.send(
      new CreateServiceCommand({
        cluster: world.cluster,
        serviceName: 'api',
        taskDefinition: 'api',
        desiredCount: 0,
        propagateTags: 'TASK_DEFINITION',
      }),
    );
    await world.createSecret(`${world.prefix}-api-team1-other`);
    const controller = await world.startController(partitioned);
    const metrics = await metricMatches(
      controller,
      'the foreign ECS service counted as skipped',
      skipped('ecs_service', 1),
    );
    expect(metrics).to.match(/^acl_controller_managed_services\{cluster="[^"]+"\} 0$/m);
    expect(await serviceTokensIn('other')).to.deep.equal([]);
    expect(await serviceTokensIn('default')).to.deep.equal([]);
  });

  it('caches the tokens it owns in every namespace, so a token deleted out of band is recreated', async () => {
    await world.createSecret(`${world.prefix}-web-team1-default`);
    await world.runTasks('web', 1, scoped('team1'));
    // No relist during the test: only the Consul watch (ns=*) can report the deletion.
    const controller = await world.startController({ ...partitioned, resyncIntervalMs: 600_000 });
    const secret = await eventually('IDs in the secret', async () => {
      const value = await world.secretValue(`${world.prefix}-web-team1-default`);
      return value.accessor_id ? value : undefined;
    });
    const { tokens } = controller.container.get<AclDeps>(aclDepsId(world.cluster));
    const cached = await eventually('the team1 token in the informer cache', () =>
      tokens.store.get(secret.accessor_id!),
    );
    expect(cached.serviceKey).to.equal('default/team1/web');

    const deleted = await world.consul(
      'DELETE',
      `/v1/acl/token/${secret.accessor_id}?partition=default&ns=team1`,
    );
    expect(deleted.status).to.equal(200);
    const recreated = await eventually('the token recreated with the same IDs', async () => {
      const read = await world.consul<{ AccessorID: string; Namespace: string }>(
        'GET',
        `/v1/acl/token/${secret.accessor_id}?partition=default&ns=team1`,
      );
      return read.status === 200 ? read.json : undefined;
    });
    expect(recreated.Namespace).to.equal('team1');
    await metricMatches(
      controller,
      'the repair counted',
      /acl_controller_tokens_repaired_total\{cluster="[^"]+",controller="service-token",reason="token_missing"\} 1/,
    );
  });
});
