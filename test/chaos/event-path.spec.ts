import { expect } from 'chai';

import { TaskEventPipe } from '../../envtest/ecs/event-pipe.js';
import { EcsState } from '../../envtest/ecs/state.js';
import { type TaskStateChangeEvent } from '../../envtest/ecs/task-events.js';
import { SqsState } from '../../envtest/sqs/state.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { MESH_TAG } from './chaos-world.js';
import { FORGES } from './event-ops.js';
import { EventPath, FOREIGN_ACCOUNT, FOREIGN_REGION } from './event-path.js';
import { Prng } from './prng.js';

const ACCOUNT = '123456789012';

/** ECS state, its event pipe, an SQS state with one queue per served cluster, and the path between. */
function fixture(served: readonly string[] = ['chaos', 'chaos-b'], fraction = 0.15, seed = 5) {
  const clock = new ManualClock();
  const context = { clock, random: Math.random, region: 'us-east-1', accountId: ACCOUNT };
  const ecs = new EcsState({ ...context, timings: { provisioningMs: 0, pendingMs: 0, stoppingMs: 0 } });
  const sqs = new SqsState(context);
  let now = 0;
  const path = new EventPath(sqs, fraction, new Prng(seed), () => now);
  const clusters = Object.fromEntries(
    [...served, 'other'].map((name) => {
      const cluster = ecs.createCluster(name, []);
      const queue = served.includes(name) ? sqs.createQueue(`${name}-task-events`, {}) : undefined;
      path.addCluster(name, cluster.arn, queue);
      return [name, { cluster, queue }];
    }),
  );
  const pipe = new TaskEventPipe(
    ecs,
    { publish: path.publish, publishService: path.publishService, serviceEvents: true },
    context,
  );
  path.attachPipe(pipe);
  const definition = ecs.registerTaskDefinition('web', {}, [{ name: 'app' }], [MESH_TAG]);
  const run = (cluster = 'chaos') =>
    ecs.launchTasks({
      cluster: clusters[cluster].cluster,
      taskDefinition: definition,
      count: 1,
      launchType: 'FARGATE',
      tags: [MESH_TAG],
    })[0];
  const bodies = (cluster: string) =>
    (clusters[cluster].queue?.messages ?? []).map((m) => JSON.parse(m.body) as TaskStateChangeEvent);
  const createService = (cluster: string, name: string) =>
    ecs.createService({
      cluster: clusters[cluster].cluster,
      name,
      taskDefinition: definition,
      desiredCount: 0,
      launchType: 'FARGATE',
      propagateTags: 'TASK_DEFINITION',
      enableECSManagedTags: false,
      tags: [],
    });
  return {
    clock,
    ecs,
    sqs,
    path,
    pipe,
    clusters,
    run,
    createService,
    bodies,
    setNow: (ms: number) => (now = ms),
  };
}

describe('chaos: event path', () => {
  it("routes each event to its own cluster's queue by exact ARN, none of cluster other's, and loses none while off", () => {
    const world = fixture();
    const a = world.run('chaos');
    world.run('chaos-b');
    world.run('other');
    const chaos = world.bodies('chaos');
    expect(chaos.length).to.be.above(0);
    expect(new Set(chaos.map((e) => e.detail.clusterArn))).to.deep.equal(
      new Set([world.clusters.chaos.cluster.arn]),
    );
    expect(chaos.map((e) => e.detail.taskArn)).to.include(a.arn);
    expect(new Set(world.bodies('chaos-b').map((e) => e.detail.clusterArn))).to.deep.equal(
      new Set([world.clusters['chaos-b'].cluster.arn]),
    );
    const { counts } = world.path;
    expect(counts.lost).to.equal(0);
    expect(counts.unrouted).to.be.above(0);
    expect(counts.delivered).to.equal(counts.published - counts.unrouted);
  });

  it('while on, loses about the base fraction, decided by the seeded stream (the same seed, the same losses)', () => {
    const lostIndexes = (seed: number) => {
      const world = fixture(['chaos'], 0.15, seed);
      world.path.start();
      const lost: number[] = [];
      for (let i = 0; i < 1_000; i += 1) {
        const before = world.path.counts.lost;
        world.run('chaos');
        if (world.path.counts.lost > before) lost.push(i);
      }
      return { lost, counts: world.path.counts };
    };
    const first = lostIndexes(5);
    const share = first.counts.lost / (first.counts.published - first.counts.unrouted);
    expect(share).to.be.within(0.12, 0.18);
    expect(lostIndexes(5).lost).to.deep.equal(first.lost);
    expect(lostIndexes(6).lost).to.not.deep.equal(first.lost);
  });

  it('a loss window loses every event of its cluster only, until it ends; stop() closes it', () => {
    const world = fixture(['chaos', 'chaos-b'], 0);
    world.path.start();
    world.path.loseFor('chaos', 1_000);
    world.run('chaos');
    world.run('chaos-b');
    expect(world.bodies('chaos')).to.deep.equal([]);
    expect(world.bodies('chaos-b').length).to.be.above(0);
    expect(world.path.counts.lostInWindows).to.equal(world.path.counts.lost);
    world.setNow(1_001);
    world.run('chaos');
    expect(world.bodies('chaos').length).to.be.above(0);
    world.path.loseFor('chaos', 5_000);
    world.path.stop();
    const delivered = world.bodies('chaos').length;
    world.run('chaos');
    expect(world.bodies('chaos').length).to.be.above(delivered);
  });

  it('forges a STOPPED copy of a running task’s event under every ARN but our own, into our queue', () => {
    const world = fixture();
    const task = world.run('chaos');
    const own = world.clusters.chaos.cluster.arn;
    const real = world.bodies('chaos').at(-1)!;
    const expected = {
      'other-account': own.replace(`:${ACCOUNT}:`, `:${FOREIGN_ACCOUNT}:`),
      'other-region': own.replace(':us-east-1:', `:${FOREIGN_REGION}:`),
      sibling: world.clusters['chaos-b'].cluster.arn,
      unserved: world.clusters.other.cluster.arn,
    };
    for (const forge of FORGES) {
      expect(world.path.forge('chaos', task.arn, forge, 'STOPPED')).to.equal(true);
      const forged = world.bodies('chaos').at(-1)!;
      expect(forged.detail.clusterArn, forge).to.equal(expected[forge]).and.not.equal(own);
      expect(forged.detail).to.include({
        taskArn: task.arn,
        desiredStatus: 'STOPPED',
        lastStatus: 'STOPPED',
      });
      expect(forged.detail.version).to.equal(Number(real.detail.version) + 10);
      expect(forged.id).to.not.equal(real.id);
    }
    expect(world.path.counts.forged).to.equal(FORGES.length);
    expect(world.bodies('chaos-b')).to.deep.equal([]);
    // No event of that task yet: nothing forged.
    expect(
      world.path.forge('chaos', 'arn:aws:ecs:us-east-1:123456789012:task/chaos/none', 'sibling', 'STOPPED'),
    ).to.equal(false);
  });

  it('with one served cluster, a sibling forgery names cluster other; it never forges our own ARN', () => {
    const world = fixture(['chaos']);
    expect(world.path.forgedArn('chaos', 'sibling')).to.equal(world.clusters.other.cluster.arn);
    const lonely = new EventPath(world.sqs, 0, new Prng(1));
    lonely.addCluster('chaos', world.clusters.chaos.cluster.arn, world.clusters.chaos.queue);
    expect(() => lonely.forgedArn('chaos', 'sibling')).to.throw('no sibling cluster ARN other than');
    expect(() => lonely.forge('chaos-b', 'x', 'sibling', 'STOPPED')).to.throw('has no events queue');
  });

  it("arms the pipe's duplicate, reorder and delay faults only while on, and stop() disarms them", () => {
    const world = fixture(['chaos'], 0);
    const faults = { duplicate: 1, reorder: 0, delay: 0, delayMs: 100 };
    expect(world.path.armPipe(faults)).to.equal(false);
    world.path.start();
    expect(world.path.armPipe({ ...faults, duplicate: 50 })).to.equal(true);
    world.run('chaos');
    const bodies = world.bodies('chaos');
    const ids = bodies.map((e) => e.id);
    expect(new Set(ids).size).to.be.below(ids.length);
    expect(world.path.pipeFaults()).to.be.above(0);
    world.path.stop();
    const injected = world.path.pipeFaults();
    world.run('chaos');
    expect(world.path.pipeFaults()).to.equal(injected);
  });

  it("routes a service's deployment event to its cluster's queue by the service ARN, counted apart, and loses it like task events", () => {
    const world = fixture(['chaos', 'chaos-b'], 1);
    world.createService('chaos-b', 'web');
    world.createService('other', 'web');
    const deployments = () =>
      (world.clusters['chaos-b'].queue?.messages ?? [])
        .map((m) => JSON.parse(m.body) as { 'detail-type': string; resources: string[] })
        .filter((e) => e['detail-type'] === 'ECS Deployment State Change');
    expect(deployments().map((e) => e.resources[0])).to.deep.equal([
      world.clusters['chaos-b'].cluster.arn.replace(':cluster/', ':service/') + '/web',
    ]);
    expect(world.bodies('chaos').length).to.equal(0);
    expect(world.path.serviceCounts).to.include({ published: 2, delivered: 1, unrouted: 1, lost: 0 });
    expect(world.path.counts.published).to.equal(0);
    // While on, a loss fraction of 1 loses every one.
    world.path.start();
    world.createService('chaos-b', 'api');
    expect(deployments().length).to.equal(1);
    expect(world.path.serviceCounts.lost).to.equal(1);
  });
});
