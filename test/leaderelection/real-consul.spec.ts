// The leader election happy path against a real Consul 1.14.8 dev agent, in real time with short
// TTLs (the dev agent's session_ttl_min is 1s). Skipped, with the reason printed, when the binary
// is not built (scripts/setup-backends.sh). Timings are printed for the record.
import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';

import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { LeaderElector } from '../../src/leaderelection/index.js';
import { SchedulerClock } from '../../src/time/index.js';
import { consulDevBackend } from '../conformance/backends/consul-dev.js';
import { BackendUnavailable, type BackendInstance } from '../conformance/harness/backend.js';

const realClock = new SchedulerClock(asyncScheduler);

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls every 10 ms; resolves with the real ms it took. */
async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await pause(10);
  }
  return performance.now() - start;
}

describe('LeaderElector on a real Consul 1.14.8 dev agent (real time)', function () {
  let consul: BackendInstance | undefined;
  const electors: LeaderElector[] = [];

  before(async function () {
    this.timeout(120_000);
    try {
      consul = await consulDevBackend.start();
    } catch (error) {
      if (error instanceof BackendUnavailable) {
        console.log(`    [unavailable] ${consulDevBackend.name}: ${error.message}`);
        this.skip();
      }
      throw error;
    }
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all(electors.map((elector) => elector.stop()));
    await consul?.stop();
  });

  function elector(identity: string, key: string): LeaderElector {
    const transport = new ConsulTransport(
      {
        address: new URL(consul!.endpoint),
        token: consul!.consulToken,
        verifyTls: true,
        timeoutMs: 5_000,
        maxRetries: 2,
      },
      realClock,
    );
    const made = new LeaderElector(
      { name: 'real', identity, key, ttlMs: 3_000, renewMs: 1_000, lockDelayMs: 1_000 },
      { transport, clock: realClock },
    );
    electors.push(made);
    return made;
  }

  async function consulCall(method: string, path: string): Promise<unknown> {
    const response = await fetch(consul!.endpoint + path, {
      method,
      headers: { 'X-Consul-Token': consul!.consulToken! },
    });
    expect(response.status, path).to.equal(200);
    return response.json() as Promise<unknown>;
  }

  it('elects one, keeps it past the TTL, hands over on stop, and recovers from an out-of-band destroy', async function () {
    this.timeout(30_000);
    const key = `ecs-acl-controller/real-${Date.now()}/leader`;
    const a = elector('task-a', key);
    const b = elector('task-b', key);
    a.start();
    b.start();
    const elected = await waitFor(() => [a, b].filter((e) => e.isLeader()).length === 1, 'a leader', 5_000);
    const leader = a.isLeader() ? a : b;
    const standby = leader === a ? b : a;

    // Two TTLs: renewals keep the same single leader.
    const keepStart = performance.now();
    while (performance.now() - keepStart < 6_000) {
      expect(leader.isLeader(), 'leader keeps the lock').to.equal(true);
      expect(standby.isLeader(), 'standby stays standby').to.equal(false);
      await pause(50);
    }
    const [entry] = (await consulCall('GET', `/v1/kv/${key}`)) as { Session: string; Value: string }[];
    const [session] = (await consulCall('GET', `/v1/session/info/${entry!.Session}`)) as {
      TTL: string;
      NodeChecks: string[] | null;
      Behavior: string;
      LockDelay: number;
    }[];
    expect(session).to.deep.include({ TTL: '3s', NodeChecks: [], Behavior: 'release', LockDelay: 1e9 });
    expect(JSON.parse(Buffer.from(entry!.Value, 'base64').toString('utf8'))).to.include({
      holder: leader === a ? 'task-a' : 'task-b',
    });

    // stop(): release without lock-delay, so the standby takes over at once.
    const stopStart = performance.now();
    await leader.stop();
    const stopMs = performance.now() - stopStart;
    const handover = await waitFor(() => standby.isLeader(), 'the standby to lead', 3_000);
    expect(handover).to.be.below(1_000);

    // Destroy the new leader's session out of band: it steps down at once, then (alone now)
    // re-acquires with a new session once Consul's lock-delay has passed.
    const [held] = (await consulCall('GET', `/v1/kv/${key}`)) as { Session: string }[];
    await consulCall('PUT', `/v1/session/destroy/${held!.Session}`);
    const stepDown = await waitFor(() => !standby.isLeader(), 'the leader to step down', 2_000);
    expect(stepDown).to.be.below(500);
    const reacquire = await waitFor(() => standby.isLeader(), 'the leader to re-acquire', 5_000);
    expect(stepDown + reacquire).to.be.at.least(900);

    console.log(
      `      [timings] elected ${elected.toFixed(0)} ms; stop ${stopMs.toFixed(0)} ms; handover after stop ${handover.toFixed(0)} ms; ` +
        `step-down after destroy ${stepDown.toFixed(0)} ms; re-acquire after lock-delay ${(stepDown + reacquire).toFixed(0)} ms`,
    );
  });
});
