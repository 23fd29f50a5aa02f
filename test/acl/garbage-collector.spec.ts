import { expect } from 'chai';

import { AclWorld, eventually, useAclWorld } from './world.js';

describe('garbage collector, end to end', function () {
  this.timeout(30_000);
  let world: AclWorld;
  useAclWorld((started) => (world = started));

  it('keeps the token through a stop/start window shorter than the grace period (hazard 4)', async () => {
    await world.createServiceSecret('web');
    const [old] = await world.runTasks('web');
    const controller = await world.startController({ gcGracePeriodMs: 60_000 });
    const token = await eventually('a token', async () => (await world.serviceTokens())[0]);
    await world.stopTasks([old]);
    await eventually('the stop seen by the controller', async () =>
      controller.logs.some((line) => line.includes('informer applied changes') && line.includes('ecs-tasks')),
    );
    await eventually('one more resync', async () => world.ecsServer.calls.count('ListTasks') >= 3);
    await world.runTasks('web');
    await eventually('another resync', async () => world.ecsServer.calls.count('ListTasks') >= 4);
    const tokens = await world.serviceTokens();
    expect(tokens.map((t) => t.AccessorID)).to.deep.equal([token.AccessorID]);
    expect(world.consulServer.calls.count('acl.token.delete')).to.equal(0);
  });

  it('deletes the tokens once the grace period has passed, and only then', async () => {
    await world.createServiceSecret('web');
    const tasks = await world.runTasks('web');
    const controller = await world.startController({ gcGracePeriodMs: 1_500 });
    await eventually('a token', async () => (await world.serviceTokens()).length === 1);
    await world.stopTasks(tasks);
    const stoppedAt = performance.now();
    await eventually('the token collected', async () => (await world.serviceTokens()).length === 0);
    expect(performance.now() - stoppedAt).to.be.at.least(1_400);
    // Counted and logged once Consul's answer to the delete is back: maybe after the test saw it.
    await eventually('the deletion counted and logged', async () => {
      expect(await controller.metrics()).to.match(
        /acl_controller_tokens_deleted_total\{cluster="[^"]+",controller="garbage-collector"\} 1/,
      );
      expect(
        controller.logs.some((line) =>
          line.includes('deleted token of a service gone past the grace period'),
        ),
      ).to.equal(true);
      return true;
    });
  });

  it('collects v0.4-style service policies of this cluster, and nothing of others', async () => {
    const mine = await world.consul<{ ID: string }>('PUT', '/v1/acl/policy', {
      Name: 'old-service',
      Description: `Policy for old service\nconsul.hashicorp.com/cluster: ${world.cluster}`,
      Rules: 'service "old" { policy = "write" }',
    });
    const theirs = await world.consul<{ ID: string }>('PUT', '/v1/acl/policy', {
      Name: 'other-service',
      Description: `Policy for old service\nconsul.hashicorp.com/cluster: ${world.cluster}-2`,
      Rules: 'service "old" { policy = "write" }',
    });
    await world.startController();
    await eventually(
      'our policy collected',
      async () => (await world.consul('GET', `/v1/acl/policy/${mine.json.ID}`)).status !== 200,
    );
    expect((await world.consul('GET', `/v1/acl/policy/${theirs.json.ID}`)).status).to.equal(200);
  });
});
