// Leader election options (defaults, validation) and the Consul calls the lock makes.
import { expect } from 'chai';

import { ConsulError, ConsulUnreachableError } from '../../src/consul/consul-error.js';
import { type ConsulRequest, type ConsulResponse } from '../../src/consul/consul-transport.js';
import {
  ConsulLockApi,
  defaultLockKey,
  kvPath,
  LeaderElectionConfigError,
  resolveElectorOptions,
  SessionGoneError,
} from '../../src/leaderelection/index.js';
import { goDuration } from '../../src/time/go-duration.js';

describe('leader election options', () => {
  it('fills in the defaults', () => {
    const options = resolveElectorOptions({ name: 'prod', identity: 'ip-10-0-0-1' });
    expect(options).to.deep.include({
      key: 'ecs-acl-controller/prod/leader',
      ttlMs: 15_000,
      renewMs: 5_000,
      lockDelayMs: 1_000,
      lockRetryMs: 1_000,
      watchWaitMs: 60_000,
      releaseTimeoutMs: 5_000,
      sessionName: 'ecs-acl-controller leader election (prod)',
    });
    expect(defaultLockKey('c')).to.equal('ecs-acl-controller/c/leader');
    expect(resolveElectorOptions({ name: 'p', identity: 'i', lockDelayMs: 0 }).lockRetryMs).to.equal(250);
  });

  it('rejects inconsistent settings, naming the option', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ renewMs: 15_000 }, 'renewMs'],
      [{ ttlMs: 0 }, 'ttlMs'],
      [{ ttlMs: 24 * 3_600_000 + 1 }, 'ttlMs'],
      [{ lockDelayMs: -1 }, 'lockDelayMs'],
      [{ watchWaitMs: 0 }, 'watchWaitMs'],
      [{ identity: ' ' }, 'identity'],
      [{ key: '/abs' }, 'key'],
    ];
    for (const [override, option] of cases) {
      expect(() => resolveElectorOptions({ name: 'p', identity: 'i', ...override }), option)
        .to.throw(LeaderElectionConfigError)
        .with.property('option', option);
    }
  });

  it("accepts TTLs below Consul's default session_ttl_min: the servers' setting decides (the CLI checks it)", () => {
    expect(resolveElectorOptions({ name: 'p', identity: 'i', ttlMs: 2_000, renewMs: 500 }).ttlMs).to.equal(
      2_000,
    );
    expect(resolveElectorOptions({ name: 'p', identity: 'i', ttlMs: 24 * 3_600_000 }).ttlMs).to.equal(
      86_400_000,
    );
  });

  it('formats durations the way Consul parses them', () => {
    expect(goDuration(15_000)).to.equal('15s');
    expect(goDuration(1_500)).to.equal('1500ms');
    expect(goDuration(0)).to.equal('0s');
  });
});

class FakeCaller {
  readonly requests: ConsulRequest[] = [];
  constructor(private readonly answer: (req: ConsulRequest) => ConsulResponse | Error) {}

  send(req: ConsulRequest): Promise<ConsulResponse> {
    this.requests.push(req);
    const answer = this.answer(req);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }
}

describe('ConsulLockApi', () => {
  it('creates a TTL session without health checks', async () => {
    const caller = new FakeCaller(() => ({ status: 200, body: '{"ID":"s-1"}' }));
    const id = await new ConsulLockApi(caller).createSession({
      name: 'n',
      ttlMs: 15_000,
      lockDelayMs: 1_000,
    });
    expect(id).to.equal('s-1');
    expect(caller.requests[0]).to.deep.include({
      operation: 'session.create',
      method: 'PUT',
      path: '/v1/session/create',
      body: { Name: 'n', TTL: '15s', LockDelay: '1s', Behavior: 'release', NodeChecks: [], Checks: [] },
    });
  });

  it('tells a gone session (404) from an outage on renew', async () => {
    const gone = new ConsulLockApi(
      new FakeCaller((req) => new ConsulError(req.operation, 404, "Session id 's-1' not found")),
    );
    expect(await gone.renewSession('s-1')).to.equal(false);
    const empty = new ConsulLockApi(new FakeCaller(() => ({ status: 200, body: '[]' })));
    expect(await empty.renewSession('s-1')).to.equal(false);
    const alive = new ConsulLockApi(new FakeCaller(() => ({ status: 200, body: '[{"ID":"s-1"}]' })));
    expect(await alive.renewSession('s-1')).to.equal(true);
    const down = new ConsulLockApi(
      new FakeCaller((req) => new ConsulUnreachableError(req.operation, new Error('ECONNREFUSED'))),
    );
    let thrown: unknown;
    await down.renewSession('s-1').catch((error: unknown) => (thrown = error));
    expect(thrown).to.be.instanceOf(ConsulUnreachableError);
  });

  it('acquires with the holder record as the value, and maps "invalid session" to SessionGoneError', async () => {
    const caller = new FakeCaller(() => ({ status: 200, body: 'true' }));
    const api = new ConsulLockApi(caller);
    expect(await api.acquire('a/b c/leader', 's-1', { holder: 'me' })).to.equal(true);
    expect(caller.requests[0]).to.deep.include({
      operation: 'kv.acquire',
      path: '/v1/kv/a/b%20c/leader',
      query: { acquire: 's-1' },
      body: { holder: 'me' },
    });
    const gone = new ConsulLockApi(
      new FakeCaller(
        (req) => new ConsulError(req.operation, 500, 'raft apply failed: invalid session "s-1"'),
      ),
    );
    let thrown: unknown;
    await gone.acquire('k', 's-1', {}).catch((error: unknown) => (thrown = error));
    expect(thrown).to.be.instanceOf(SessionGoneError);
    expect(kvPath('x/y')).to.equal('/v1/kv/x/y');
  });

  it('reads a missing key as no entry, and decodes holder and index', async () => {
    const missing = new ConsulLockApi(new FakeCaller((req) => new ConsulError(req.operation, 404, '')));
    expect(await missing.readLock('k', { index: '7', waitMs: 1_000 })).to.deep.equal({});
    const value = Buffer.from('{"holder":"me"}').toString('base64');
    const caller = new FakeCaller(() => ({
      status: 200,
      index: '42',
      body: JSON.stringify([{ Key: 'k', Session: 's-1', LockIndex: 3, Value: value }]),
    }));
    const read = await new ConsulLockApi(caller).readLock('k', { index: '41', waitMs: 60_000 });
    expect(read).to.deep.equal({
      index: '42',
      entry: { session: 's-1', lockIndex: 3, value: '{"holder":"me"}' },
    });
    expect(caller.requests[0]).to.deep.include({ query: { index: '41', wait: '60s' }, waitMs: 60_000 });
  });
});
