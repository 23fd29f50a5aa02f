import { CreateClusterCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { eventually, rejectionOf } from '../expect-error.js';
import { ecsClient, type EcsFixture, startEcsFixture } from './fixture.js';

describe('ECS emulator: faults and call log', () => {
  let clock: ManualClock;
  let fixture: EcsFixture;

  beforeEach(async () => {
    clock = new ManualClock();
    fixture = await startEcsFixture({ clock });
    await fixture.ecs.send(new CreateClusterCommand({ clusterName: 'mesh' }));
    fixture.server.calls.reset();
  });
  afterEach(() => fixture.close());

  const listTasks = () => fixture.ecs.send(new ListTasksCommand({ cluster: 'mesh' }));

  it('throttles with ThrottlingException "Rate exceeded" (HTTP 400), count times, then answers', async () => {
    fixture.server.faults.add({ operation: 'ListTasks', kind: 'throttle', count: 2 });
    for (let i = 0; i < 2; i += 1) {
      const error = await rejectionOf(listTasks());
      expect(error.name).to.equal('ThrottlingException');
      expect(error.message).to.equal('Rate exceeded');
      expect(error.$metadata?.httpStatusCode).to.equal(400);
    }
    expect((await listTasks()).taskArns).to.deep.equal([]);
    expect(fixture.server.calls.all().map((call) => [call.status, call.error])).to.deep.equal([
      [400, 'ThrottlingException'],
      [400, 'ThrottlingException'],
      [200, undefined],
    ]);
    expect(fixture.server.faults.injectedCount).to.equal(2);
  });

  it('lets the SDK retry through two throttles (three attempts, all counted)', async () => {
    const retrying = ecsClient(fixture.server, 3);
    try {
      fixture.server.faults.add({ operation: 'ListTasks', kind: 'throttle', count: 2 });
      const out = await retrying.send(new ListTasksCommand({ cluster: 'mesh' }));
      expect(out.$metadata.attempts).to.equal(3);
      expect(fixture.server.calls.count('ListTasks')).to.equal(3);
    } finally {
      retrying.destroy();
    }
  });

  it('answers a server-error fault with ServerException (HTTP 500) and does not run the operation', async () => {
    fixture.server.faults.add({ operation: 'CreateCluster', kind: 'server-error', count: 1 });
    const error = await rejectionOf(fixture.ecs.send(new CreateClusterCommand({ clusterName: 'never' })));
    expect(error.name).to.equal('ServerException');
    expect(error.$metadata?.httpStatusCode).to.equal(500);
    expect(error.$fault).to.equal('server');
    expect(fixture.server.state.clusters.has('never')).to.equal(false);
    expect(fixture.server.calls.all()[0]).to.include({
      operation: 'CreateCluster',
      status: 500,
      resource: 'never',
    });
  });

  it('resets the connection without an answer, records status 0, and serves the next call', async () => {
    fixture.server.faults.add({ operation: 'ListTasks', kind: 'reset', count: 1 });
    const error = await rejectionOf(listTasks());
    expect(error.name).to.not.equal('ThrottlingException');
    expect(error.$metadata?.httpStatusCode).to.equal(undefined);
    expect(fixture.server.calls.all()[0]).to.include({ operation: 'ListTasks', status: 0 });
    expect((await listTasks()).taskArns).to.deep.equal([]);
    expect(fixture.server.calls.count('ListTasks')).to.equal(2);
  });

  it('delays a latency fault on the injected clock before answering normally', async () => {
    fixture.server.faults.add({ operation: 'ListTasks', kind: 'latency', latencyMs: 500, count: 1 });
    let settled = false;
    const pending = listTasks().then((out) => {
      settled = true;
      return out;
    });
    await eventually(() => clock.pendingTimers === 1);
    await clock.advance(499);
    expect(settled).to.equal(false);
    await clock.advance(1);
    expect((await pending).taskArns).to.deep.equal([]);
    expect(fixture.server.calls.all()[0]).to.include({ status: 200, at: clock.now() });
  });

  it('applies a wildcard rule to every operation and stops once removed', async () => {
    const remove = fixture.server.faults.add({ operation: '*', kind: 'throttle', fraction: 1 });
    expect((await rejectionOf(listTasks())).name).to.equal('ThrottlingException');
    expect(
      (await rejectionOf(fixture.ecs.send(new CreateClusterCommand({ clusterName: 'x' })))).name,
    ).to.equal('ThrottlingException');
    remove();
    expect((await listTasks()).taskArns).to.deep.equal([]);
  });

  it('counts calls per operation, failures included, with the cluster as the resource', async () => {
    await listTasks();
    await rejectionOf(fixture.ecs.send(new ListTasksCommand({ cluster: 'ghost' })));
    expect(fixture.server.calls.snapshot()).to.deep.equal({ ListTasks: 2 });
    expect(fixture.server.calls.all()[1]).to.include({
      status: 400,
      error: 'ClusterNotFoundException',
      resource: 'ghost',
    });
  });
});
