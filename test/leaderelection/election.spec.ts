// Leader election against the Consul envtest in virtual time: who leads, handover on stop, and
// loss of the session out of band.
import { expect } from 'chai';

import { type LeadershipLost } from '../../src/leaderelection/index.js';
import { Harness, LOCK_KEY } from './harness.js';

interface SessionInfoJson {
  ID: string;
  Name: string;
  TTL: string;
  LockDelay: number;
  Behavior: string;
  NodeChecks: string[];
}

describe('LeaderElector on envtest Consul (virtual time)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  async function electTwo() {
    const a = h.member('task-a');
    const b = h.member('task-b');
    a.elector.start();
    b.elector.start();
    await h.until(() => h.leaders().length === 1, 'a leader');
    const leader = h.leaders()[0]!;
    const standby = leader === a ? b : a;
    return { a, b, leader, standby };
  }

  it('elects exactly one of two electors and keeps it through many renewals', async () => {
    const { leader, standby } = await electTwo();
    expect(standby.elector.isLeader()).to.equal(false);
    // Four TTLs of virtual time: renewals keep the same leader, and never two at once.
    await h.advance(60_000, 250, () => {
      expect(h.leaders()).to.deep.equal([leader]);
    });
    expect(leader.leadingLog).to.deep.equal([false, true]);
    expect(standby.leadingLog).to.deep.equal([false]);
    expect(h.server.calls.count('session.renew')).to.be.at.least(2 * 11);
    expect(h.server.calls.count('kv.acquire')).to.equal(2);
    expect(standby.elector.currentHolder()).to.equal(leader.identity);
    expect(leader.elector.currentHolder()).to.equal(leader.identity);

    const entry = await h.lockEntry();
    const value = JSON.parse(Buffer.from(entry!.Value!, 'base64').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(value).to.have.keys('holder', 'name', 'acquiredAt');
    expect(value).to.include({ holder: leader.identity, name: 'prod-cluster' });
    expect(entry!.LockIndex).to.equal(1);

    const info = await h.call('GET', `/v1/session/info/${entry!.Session!}`);
    const [session] = JSON.parse(info.text) as SessionInfoJson[];
    expect(session).to.deep.include({ TTL: '15s', LockDelay: 1e9, Behavior: 'release', NodeChecks: [] });
    expect(session!.Name).to.equal('ecs-acl-controller leader election (prod-cluster)');
    expect(await h.sessionIds()).to.have.length(2);
  });

  it('stop() steps down at once, releases the key and destroys the session; the standby takes over', async () => {
    const { leader, standby } = await electTwo();
    await h.advance(3_000);
    const before = await h.lockEntry();
    const stopping = leader.elector.stop();
    // Not leading before any call goes out.
    expect(leader.elector.isLeader()).to.equal(false);
    expect(leader.leadingLog).to.deep.equal([false, true, false]);
    expect(leader.elector.stop()).to.equal(stopping);
    const lost: LeadershipLost[] = [];
    leader.elector.onLost((event) => lost.push(event));
    await stopping;
    expect(h.server.calls.count('kv.release')).to.equal(1);
    expect(await h.sessionIds()).to.not.include(before!.Session);
    // An explicit release frees the key without lock-delay: the standby acquires with no
    // virtual time passing at all.
    await h.until(() => standby.elector.isLeader(), 'the standby to lead');
    const after = await h.lockEntry();
    expect(after!.Session).to.not.equal(before!.Session);
    expect(after!.LockIndex).to.equal(2);
    expect(lost).to.deep.equal([]);
    let completed = false;
    leader.elector.leading$.subscribe({ complete: () => (completed = true) });
    expect(completed).to.equal(true);
    expect(() => leader.elector.start()).to.throw(/cannot start after stop/);
  });

  it('reports not-leading at once when its session is destroyed out of band; the standby takes over after lock-delay', async () => {
    const { leader, standby } = await electTwo();
    await h.advance(2_000);
    const lost: LeadershipLost[] = [];
    leader.elector.onLost((event) => lost.push(event));
    const held = await h.lockEntry();
    const destroyed = await h.call('PUT', `/v1/session/destroy/${held!.Session!}`);
    expect(destroyed.status).to.equal(200);
    const destroyedAt = h.now;
    await h.until(() => !leader.elector.isLeader(), 'the leader to step down');
    expect(h.now, 'no virtual time passed').to.equal(destroyedAt);
    expect(lost).to.have.length(1);
    expect(lost[0]!.reason).to.equal('lock-lost');
    expect(leader.leadingLog).to.deep.equal([false, true, false]);
    expect(standby.elector.isLeader()).to.equal(false);

    // The session's lock-delay (1 s) holds everyone off, then the first to retry wins.
    const waited = await h.eventually(() => h.leaders().length === 1, 'a new leader', 10_000, 50);
    expect(waited).to.be.at.least(1_000);
    expect(waited).to.be.at.most(1_000 + 250 + 100);
    // The old leader runs a fresh session and competes again; either may have won the race.
    const sessions = await h.sessionIds();
    expect(sessions).to.have.length(2);
    expect(sessions).to.not.include(held!.Session);
    const newLeader = h.leaders()[0]!;
    const other = newLeader === leader ? standby : leader;
    await h.advance(20_000, 250, () => expect(h.leaders()).to.deep.equal([newLeader]));
    expect(other.elector.currentHolder()).to.equal(newLeader.identity);
    expect(lost).to.have.length(1);
  });

  it('the standby takes over after lock-delay when the old leader hands over by losing; the loser becomes standby', async () => {
    // Same scenario as above, but the old leader is kept from re-competing at once so that the
    // standby deterministically wins: the old leader's next session create fails for a while.
    const { leader, standby } = await electTwo();
    h.server.faults.add({ operation: 'session.create', kind: 'server-error', count: 3 });
    const held = await h.lockEntry();
    await h.call('PUT', `/v1/session/destroy/${held!.Session!}`);
    await h.until(() => !leader.elector.isLeader(), 'the leader to step down');
    const waited = await h.eventually(() => standby.elector.isLeader(), 'the standby to lead', 10_000, 50);
    expect(waited).to.be.within(1_000, 1_350);
    await h.advance(20_000, 250, () => expect(h.leaders()).to.deep.equal([standby]));
    expect(leader.elector.currentHolder()).to.equal(standby.identity);
    expect(h.server.calls.count('session.create')).to.equal(2 + 1 + 3);
  });

  it('sees the lock key deleted out of band as a loss, and competes again', async () => {
    const { leader } = await electTwo();
    const lost: LeadershipLost[] = [];
    leader.elector.onLost((event) => lost.push(event));
    const deleted = await h.call('DELETE', `/v1/kv/${LOCK_KEY}`);
    expect(deleted.status).to.equal(200);
    await h.until(() => !leader.elector.isLeader(), 'the leader to step down');
    expect(lost.map((event) => event.reason)).to.deep.equal(['lock-lost']);
    await h.eventually(() => h.leaders().length === 1, 'a new leader', 10_000);
    expect((await h.lockEntry())!.Session).to.be.a('string');
  });
});
