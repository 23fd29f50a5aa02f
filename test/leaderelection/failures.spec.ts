// Leader election when Consul misbehaves, in virtual time: unreachable (step down exactly at the
// renew deadline), a session that vanishes while the watch is stuck (renew sees the 404), and
// session creation failing at start.
import { expect } from 'chai';

import { type LeadershipLost } from '../../src/leaderelection/index.js';
import { Harness, metricValue } from './harness.js';

describe('LeaderElector when Consul fails (virtual time)', () => {
  let h: Harness;

  afterEach(() => h.close());

  it('steps down when the TTL passes without a successful renew, not before, and the metrics say so', async () => {
    // Consul itself keeps a TTL session up to 2×TTL (real Consul's worst case): the leader must
    // not wait for that, it gives up at its own deadline.
    h = await Harness.start({ sessionTtlMultiplier: 2 });
    const a = h.member('task-a');
    const b = h.member('task-b');
    const start = h.now;
    a.elector.start();
    b.elector.start();
    await h.until(() => h.leaders().length === 1, 'a leader');
    const leader = h.leaders()[0]!;
    const standby = leader === a ? b : a;
    const lost: LeadershipLost[] = [];
    leader.elector.onLost((event) => lost.push(event));

    // The renew sent at start+5 s succeeds; from start+7 s every connection is reset.
    await h.advance(7_000);
    expect(h.server.calls.count('session.renew')).to.equal(2);
    h.server.faults.add({ operation: '*', kind: 'reset', fraction: 1 });
    const deadline = start + 5_000 + 15_000;

    await h.advance(deadline - 50 - h.now, 50, () => {
      expect(leader.elector.isLeader(), `still leading at +${h.now - start} ms`).to.equal(true);
    });
    expect(await metricValue(leader.registry, 'leader_election_master_status')).to.equal(1);
    expect(h.server.faults.injectedCount).to.be.greaterThan(0);

    await h.advance(50, 50);
    expect(h.now).to.equal(deadline);
    expect(leader.elector.isLeader()).to.equal(false);
    expect(lost.map((event) => event.reason)).to.deep.equal(['renew-deadline']);
    expect(await metricValue(leader.registry, 'leader_election_master_status')).to.equal(0);
    expect(await metricValue(leader.registry, 'leader_election_losses_total')).to.equal(1);
    expect(await metricValue(leader.registry, 'leader_election_acquisitions_total')).to.equal(1);

    // Nobody can lead while Consul is unreachable, however long it lasts.
    await h.advance(20_000, 250, () => expect(h.leaders()).to.deep.equal([]));
    expect(await metricValue(standby.registry, 'leader_election_master_status')).to.equal(0);

    // Consul comes back: the old session expires server-side (2×TTL after its last renew), its
    // lock-delay passes, and someone leads again with a fresh session.
    h.server.faults.clear();
    await h.eventually(() => h.leaders().length === 1, 'a leader again', 60_000, 100);
    expect(h.now).to.be.at.least(start + 5_000 + 2 * 15_000 + 1_000);
    const again = h.leaders()[0]!;
    expect(await metricValue(again.registry, 'leader_election_master_status')).to.equal(1);
    expect(await metricValue(again.registry, 'leader_election_acquisitions_total')).to.equal(
      again === leader ? 2 : 1,
    );
  });

  it('learns from the renew (404) that its session is gone when the key watch is stuck', async () => {
    h = await Harness.start();
    const a = h.member('task-a');
    a.elector.start();
    await h.until(() => a.elector.isLeader(), 'a to lead');
    await h.advance(1_000);
    const lost: LeadershipLost[] = [];
    a.elector.onLost((event) => lost.push(event));
    // Every new key read hangs for an hour; then a plain PUT (which keeps the lock) wakes the
    // current watch, so the leader's next read is one of the hanging ones.
    h.server.faults.add({ operation: 'kv.get', kind: 'latency', latencyMs: 3_600_000, fraction: 1 });
    const sessions = await h.sessionIds();
    expect(sessions).to.have.length(1);
    await h.call('PUT', `/v1/kv/ecs-acl-controller/prod-cluster/leader`);
    await h.settle();
    await h.call('PUT', `/v1/session/destroy/${sessions[0]!}`);
    const destroyedAt = h.now;
    await h.settle();
    expect(a.elector.isLeader(), 'the watch cannot see it').to.equal(true);
    // The next renew is due 5 s after the last one (at start+1 s+… : within 5 s from now).
    const waited = await h.eventually(() => !a.elector.isLeader(), 'the leader to step down', 10_000, 50);
    expect(waited).to.be.at.most(5_000);
    expect(lost.map((event) => event.reason)).to.deep.equal(['session-invalidated']);
    expect(
      h.server.calls.all().some((call) => call.operation === 'session.renew' && call.status === 404),
    ).to.equal(true);
    expect(h.now - destroyedAt).to.equal(waited);
  });

  it('stop() is bounded by releaseTimeoutMs when Consul hangs', async () => {
    h = await Harness.start();
    const a = h.member('task-a', { releaseTimeoutMs: 2_000 });
    a.elector.start();
    await h.until(() => a.elector.isLeader(), 'a to lead');
    h.server.faults.add({ operation: '*', kind: 'latency', latencyMs: 3_600_000, fraction: 1 });
    let stopped = false;
    const stopping = a.elector.stop().then(() => (stopped = true));
    expect(a.elector.isLeader()).to.equal(false);
    const waited = await h.eventually(() => stopped, 'stop() to resolve', 10_000, 50);
    await stopping;
    expect(waited).to.be.within(2_000, 2_100);
    // The destroy never reached Consul: the session outlives stop() and expires with its TTL.
    h.server.faults.clear();
    expect(await h.sessionIds()).to.have.length(1);
    await h.advance(15_000, 500);
    expect(await h.sessionIds()).to.deep.equal([]);
  });

  it('keeps retrying session creation with backoff until Consul answers, then leads', async () => {
    h = await Harness.start();
    h.server.faults.add({ operation: 'session.create', kind: 'server-error', count: 4 });
    const a = h.member('task-a');
    a.elector.start();
    // Backoff 500 ms doubling (no jitter in tests): 500 + 1000 + 2000 + 4000 = 7.5 s.
    const waited = await h.eventually(() => a.elector.isLeader(), 'a to lead', 30_000, 50);
    expect(waited).to.be.within(7_500, 7_600);
    expect(h.server.calls.count('session.create')).to.equal(5);
    expect(await h.sessionIds()).to.have.length(1);
    expect(await metricValue(a.registry, 'leader_election_acquisitions_total')).to.equal(1);
  });
});
