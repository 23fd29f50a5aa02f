// Leader election metrics: names, labels and values through election, loss and stop.
import { expect } from 'chai';
import { Registry } from 'prom-client';

import { leaderElectionMetrics } from '../../src/leaderelection/index.js';
import { Harness, LOCK_NAME, metricValue } from './harness.js';

const STATUS = 'leader_election_master_status';
const ACQUIRED = 'leader_election_acquisitions_total';
const LOST = 'leader_election_losses_total';

async function values(registry: Registry): Promise<[number, number, number]> {
  return [
    await metricValue(registry, STATUS),
    await metricValue(registry, ACQUIRED),
    await metricValue(registry, LOST),
  ];
}

describe('LeaderElector metrics', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  it('reports status, acquisitions and losses per lock name through election, loss and stop', async () => {
    const a = h.member('task-a');
    const b = h.member('task-b');
    // Every series exists at 0 before start.
    expect(await values(a.registry)).to.deep.equal([0, 0, 0]);
    expect(await a.registry.metrics()).to.include(`${STATUS}{name="${LOCK_NAME}"} 0`);

    a.elector.start();
    await h.until(() => a.elector.isLeader(), 'a to lead');
    b.elector.start();
    await h.advance(1_000);
    expect(await values(a.registry)).to.deep.equal([1, 1, 0]);
    expect(await values(b.registry)).to.deep.equal([0, 0, 0]);

    // a's session vanishes: a loses (counted), b acquires after lock-delay.
    const held = await h.lockEntry();
    await h.call('PUT', `/v1/session/destroy/${held!.Session!}`);
    await h.until(() => !a.elector.isLeader(), 'a to step down');
    expect(await values(a.registry)).to.deep.equal([0, 1, 1]);
    await h.eventually(() => h.leaders().length === 1, 'a new leader', 5_000);
    const winner = h.leaders()[0]!;
    const loser = winner === a ? b : a;
    expect(await metricValue(winner.registry, STATUS)).to.equal(1);
    expect(await metricValue(loser.registry, STATUS)).to.equal(0);
    expect(await metricValue(a.registry, ACQUIRED)).to.equal(winner === a ? 2 : 1);
    expect(await metricValue(b.registry, ACQUIRED)).to.equal(winner === b ? 1 : 0);

    // A voluntary stop drops the gauge but is not a loss.
    await winner.elector.stop();
    expect(await metricValue(winner.registry, STATUS)).to.equal(0);
    expect(await metricValue(winner.registry, LOST)).to.equal(winner === a ? 1 : 0);
    await h.until(() => loser.elector.isLeader(), 'the other to lead');
    expect(await metricValue(loser.registry, STATUS)).to.equal(1);
  });

  it('lets several locks share one registry, one series per name', async () => {
    const registry = new Registry();
    const first = leaderElectionMetrics(registry, 'cluster-1');
    const second = leaderElectionMetrics(registry, 'cluster-2');
    first.acquired();
    first.leading(true);
    second.lost();
    expect(await metricValue(registry, STATUS, 'cluster-1')).to.equal(1);
    expect(await metricValue(registry, STATUS, 'cluster-2')).to.equal(0);
    expect(await metricValue(registry, ACQUIRED, 'cluster-1')).to.equal(1);
    expect(await metricValue(registry, LOST, 'cluster-2')).to.equal(1);
    expect(await metricValue(registry, LOST, 'cluster-1')).to.equal(0);
    const text = await registry.metrics();
    expect(text).to.include(`# TYPE ${STATUS} gauge`);
    expect(text).to.include(`# TYPE ${ACQUIRED} counter`);
    expect(text).to.include(`# TYPE ${LOST} counter`);
  });
});
