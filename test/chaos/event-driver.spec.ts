import { expect } from 'chai';

import { EcsState } from '../../envtest/ecs/state.js';
import { SqsState } from '../../envtest/sqs/state.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { MESH_TAG } from './chaos-world.js';
import { EventDriver, FORGE_REPEAT_MS } from './event-driver.js';
import { EventPath } from './event-path.js';
import { Prng } from './prng.js';
import { sleep } from './retrying.js';

function fixture() {
  const clock = new ManualClock();
  const context = { clock, random: Math.random, region: 'us-east-1', accountId: '123456789012' };
  const ecs = new EcsState({ ...context, timings: { provisioningMs: 0, pendingMs: 0, stoppingMs: 0 } });
  const sqs = new SqsState(context);
  let now = 0;
  const path = new EventPath(sqs, 0, new Prng(1), () => now);
  const chaos = ecs.createCluster('chaos', []);
  const queue = sqs.createQueue('chaos-task-events', {});
  path.addCluster('chaos', chaos.arn, queue);
  path.addCluster('other', ecs.createCluster('other', []).arn, undefined);
  const mesh = ecs.registerTaskDefinition('web', {}, [{ name: 'app' }], [MESH_TAG]);
  const plain = ecs.registerTaskDefinition('batch', {}, [{ name: 'app' }], []);
  const api = ecs.registerTaskDefinition('api', {}, [{ name: 'app' }], [MESH_TAG]);
  const keepWithService = (name: string) =>
    ecs.createService({
      cluster: chaos,
      name,
      taskDefinition: api,
      desiredCount: 0,
      launchType: 'FARGATE',
      propagateTags: 'TASK_DEFINITION',
      enableECSManagedTags: false,
      tags: [],
    });
  const run = (definition = mesh, tags = [MESH_TAG]) =>
    ecs.launchTasks({ cluster: chaos, taskDefinition: definition, count: 1, launchType: 'FARGATE', tags })[0];
  // Every task's events reach the path, as envtest ECS's pipe would hand them over.
  ecs.onTaskChange((change) => {
    const task = ecs.tasks.get(change.taskArn)!;
    const event = {
      version: '0',
      id: `e-${change.version}`,
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: '123456789012',
      time: '2024-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [task.arn],
      detail: { clusterArn: task.clusterArn, taskArn: task.arn, version: task.version },
    } as const;
    path.publish(JSON.stringify(event), event);
  });
  const log: string[] = [];
  let leader = false;
  const driver = new EventDriver({
    ecs,
    path,
    hasLeader: () => leader,
    killLeader: async (cluster, restartAfterMs) => {
      log.push(`kill ${cluster} after ${restartAfterMs}; window ${path.counts.lostInWindows}`);
      return true;
    },
  });
  const forgedTasks = () =>
    queue.messages
      .map((m) => JSON.parse(m.body) as { detail: { taskArn: string; clusterArn: string } })
      .filter((e) => e.detail.clusterArn !== chaos.arn)
      .map((e) => e.detail.taskArn);
  return {
    ecs,
    path,
    run,
    plain,
    api,
    keepWithService,
    driver,
    log,
    forgedTasks,
    setLeader: (v: boolean) => (leader = v),
    setNow: (ms: number) => (now = ms),
  };
}

describe('chaos: event driver', () => {
  it('skips every op while the faults are off', async () => {
    const world = fixture();
    world.run();
    const op = {
      kind: 'forge-event',
      forge: 'other-account',
      status: 'STOPPED',
      pick: 0,
      count: 1,
      repeats: 0,
      cluster: 'chaos',
    } as const;
    expect(await world.driver.apply(op)).to.equal(false);
    expect(world.forgedTasks()).to.deep.equal([]);
  });

  it('forges STOPPED events for every running mesh task of one service, preferring one no ECS service keeps', async () => {
    const world = fixture();
    world.path.start();
    const web = [world.run(), world.run()].map((t) => t.arn).sort();
    const api = world.run(world.api).arn;
    const stopped = world.run();
    world.ecs.stopTask(stopped, 'test', 'UserInitiated');
    world.run(world.plain, []);
    const stop = {
      kind: 'forge-event',
      forge: 'sibling',
      status: 'STOPPED',
      pick: 0,
      count: 1,
      repeats: 0,
      cluster: 'chaos',
    } as const;
    // Services running a mesh task: api, web (sorted); pick 1 is web.
    expect(await world.driver.apply({ ...stop, pick: 1 })).to.equal(true);
    expect(world.forgedTasks().sort()).to.deep.equal(web);
    // With an ACTIVE ECS service keeping api's token, web is the only candidate: pick 0 is web again.
    world.keepWithService('api');
    expect(await world.driver.apply(stop)).to.equal(true);
    expect(world.forgedTasks().slice(2).sort()).to.deep.equal(web);
    expect(world.forgedTasks()).to.not.include(api);
    expect(await world.driver.apply({ ...stop, status: 'RUNNING', count: 3 })).to.equal(true);
    expect(world.forgedTasks().at(-1)).to.equal(stopped.arn);
    expect(world.forgedTasks()).to.have.length(5);
  });

  it('sends the same forgeries again, a second apart, while the faults are on', async () => {
    const world = fixture();
    world.path.start();
    const task = world.run().arn;
    const op = {
      kind: 'forge-event',
      forge: 'other-region',
      status: 'STOPPED',
      pick: 0,
      count: 1,
      repeats: 3,
      cluster: 'chaos',
    } as const;
    expect(await world.driver.apply(op)).to.equal(true);
    expect(world.forgedTasks()).to.deep.equal([task]);
    await sleep(FORGE_REPEAT_MS + 150);
    expect(world.forgedTasks()).to.deep.equal([task, task]);
    world.path.stop();
    await sleep(FORGE_REPEAT_MS + 150);
    expect(world.forgedTasks(), 'no repeat once the faults are off').to.deep.equal([task, task]);
  });

  it('opens the loss window before it kills the leader (a handover while events are lost)', async () => {
    const world = fixture();
    world.path.start();
    world.setLeader(true);
    const op = {
      kind: 'lose-and-kill-leader',
      lossMs: 5_000,
      restartAfterMs: 300,
      cluster: 'chaos',
    } as const;
    expect(await world.driver.apply(op)).to.equal(true);
    expect(world.log).to.deep.equal(['kill chaos after 300; window 0']);
    world.run();
    expect(world.path.counts.lostInWindows).to.be.above(0);
    world.setNow(5_001);
    const lost = world.path.counts.lost;
    world.run();
    expect(world.path.counts.lost).to.equal(lost);
  });
});
