import { expect } from 'chai';

import { ManualClock } from '../../../src/time/index.js';
import { type ConsulResponse, type TokenJson, until, useConsulServer } from './helpers.js';

interface Pending {
  readonly promise: Promise<ConsulResponse>;
  done(): boolean;
}

function track(promise: Promise<ConsulResponse>): Pending {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { promise, done: () => settled };
}

describe('Consul envtest: blocking queries (ManualClock)', () => {
  let clock: ManualClock;
  const consul = useConsulServer(() => {
    clock = new ManualClock();
    return { clock };
  });
  const { call } = consul;

  /** Starts a blocking request and waits until the server holds it (its wait timer is armed). */
  async function block(path: string): Promise<Pending> {
    const timersBefore = clock.pendingTimers;
    const pending = track(call('GET', path));
    await until(() => clock.pendingTimers > timersBefore, `blocking ${path}`);
    expect(pending.done()).to.equal(false);
    return pending;
  }

  it('wakes a blocked token list when a token is created', async () => {
    const first = await call('GET', '/v1/acl/tokens');
    expect(first.index).to.be.greaterThan(0);
    const pending = await block(`/v1/acl/tokens?index=${first.index}&wait=30s`);
    const created = (await call('PUT', '/v1/acl/token', { body: { Description: 'new' } })).json<TokenJson>();
    const answer = await pending.promise;
    expect(answer.status).to.equal(200);
    expect(answer.index).to.equal(created.ModifyIndex);
    expect(answer.json<TokenJson[]>().some((t) => t.AccessorID === created.AccessorID)).to.equal(true);
  });

  it('returns at once when the index is already behind', async () => {
    const first = await call('GET', '/v1/acl/policies');
    const answer = await call('GET', `/v1/acl/policies?index=${first.index - 1}`);
    expect(answer.status).to.equal(200);
    expect(answer.index).to.equal(first.index);
  });

  it('answers with unchanged data when the wait expires on the clock', async () => {
    const first = await call('GET', '/v1/acl/policies');
    const pending = await block(`/v1/acl/policies?index=${first.index}&wait=5s`);
    await clock.advance(4_999);
    expect(pending.done()).to.equal(false);
    await clock.advance(1);
    const answer = await pending.promise;
    expect(answer.status).to.equal(200);
    expect(answer.index).to.equal(first.index);
  });

  it('defaults the wait to 5 minutes and caps it at 10 minutes', async () => {
    const first = await call('GET', '/v1/acl/roles');
    const byDefault = await block(`/v1/acl/roles?index=${first.index}`);
    const capped = await block(`/v1/acl/roles?index=${first.index}&wait=1h`);
    await clock.advance(5 * 60_000 - 1);
    expect(byDefault.done()).to.equal(false);
    await clock.advance(1);
    await byDefault.promise;
    await clock.advance(5 * 60_000 - 1);
    expect(capped.done()).to.equal(false);
    await clock.advance(1);
    expect((await capped.promise).status).to.equal(200);
  });

  it('rejects a malformed wait or index', async () => {
    const badWait = await call('GET', '/v1/acl/tokens?index=1&wait=soon');
    expect([badWait.status, badWait.text]).to.deep.equal([400, 'Invalid wait time']);
    const badIndex = await call('GET', '/v1/acl/tokens?index=abc');
    expect([badIndex.status, badIndex.text]).to.deep.equal([400, 'Invalid index']);
  });

  it('wakes a blocked KV read only when its key changes', async () => {
    await call('PUT', '/v1/kv/config/a', { rawBody: 'one' });
    const first = await call('GET', '/v1/kv/config/a');
    const pending = await block(`/v1/kv/config/a?index=${first.index}&wait=1m`);
    await call('PUT', '/v1/kv/config/b', { rawBody: 'other key' });
    await until(() => consul.server.calls.count('kv.put') === 2);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(pending.done()).to.equal(false);
    await call('PUT', '/v1/kv/config/a', { rawBody: 'two' });
    const answer = await pending.promise;
    const [entry] = answer.json<{ Value: string; ModifyIndex: number }[]>();
    expect(Buffer.from(entry!.Value, 'base64').toString()).to.equal('two');
    expect(answer.index).to.equal(entry!.ModifyIndex);
  });

  it('wakes a blocked read of a missing key when the key is created', async () => {
    const missing = await call('GET', '/v1/kv/later');
    expect(missing.status).to.equal(404);
    expect(missing.index).to.be.greaterThan(0);
    const pending = await block(`/v1/kv/later?index=${missing.index}`);
    await call('PUT', '/v1/kv/later', { rawBody: 'here' });
    expect((await pending.promise).status).to.equal(200);
  });

  it('ends blocked queries when the server closes', async () => {
    const first = await call('GET', '/v1/acl/tokens');
    const pending = track(
      call('GET', `/v1/acl/tokens?index=${first.index}`).catch(() => ({}) as ConsulResponse),
    );
    await until(() => clock.pendingTimers > 0);
    await consul.server.close();
    await pending.promise;
    expect(pending.done()).to.equal(true);
  });
});
