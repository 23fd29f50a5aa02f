import { expect } from 'chai';

import { startConsulServer } from '../../../envtest/consul/server.js';
import { ManualClock } from '../../../src/time/index.js';
import { client, useConsulServer } from './helpers.js';

interface SessionJson {
  ID: string;
  Name: string;
  Node: string;
  TTL: string;
  LockDelay: number;
  Behavior: string;
}

interface KvJson {
  Key: string;
  Value: string | null;
  Flags: number;
  Session?: string;
  LockIndex: number;
  CreateIndex: number;
  ModifyIndex: number;
}

describe('Consul envtest: sessions and KV locks (ManualClock)', () => {
  let clock: ManualClock;
  const consul = useConsulServer(() => {
    clock = new ManualClock();
    return { clock };
  });
  const { call } = consul;

  async function session(body: Record<string, unknown>): Promise<string> {
    const response = await call('PUT', '/v1/session/create', { body });
    expect(response.status, response.text).to.equal(200);
    return response.json<{ ID: string }>().ID;
  }

  async function kv(key: string): Promise<KvJson | undefined> {
    const response = await call('GET', `/v1/kv/${key}`);
    return response.status === 404 ? undefined : response.json<KvJson[]>()[0];
  }

  it('creates, reads, lists, renews and destroys a session', async () => {
    const id = await session({ Name: 'leader', TTL: '15s', LockDelay: '1s', Behavior: 'release' });
    const info = await call('GET', `/v1/session/info/${id}`);
    expect(info.status).to.equal(200);
    const [read] = info.json<SessionJson[]>();
    expect(read).to.include({
      ID: id,
      Name: 'leader',
      Node: 'test-node',
      TTL: '15s',
      LockDelay: 1e9,
      Behavior: 'release',
    });
    expect(info.index).to.be.greaterThan(0);
    const list = (await call('GET', '/v1/session/list')).json<SessionJson[]>();
    expect(list.map((s) => s.ID)).to.deep.equal([id]);
    const renewed = await call('PUT', `/v1/session/renew/${id}`);
    expect(renewed.status).to.equal(200);
    expect(renewed.json<SessionJson[]>()[0]!.ID).to.equal(id);
    const destroyed = await call('PUT', `/v1/session/destroy/${id}`);
    expect(destroyed.json()).to.equal(true);
    expect((await call('GET', `/v1/session/info/${id}`)).json()).to.deep.equal([]);
    const renewGone = await call('PUT', `/v1/session/renew/${id}`);
    expect(renewGone.status).to.equal(404);
    expect(renewGone.text).to.equal(`Session id '${id}' not found`);
  });

  it('validates TTL, behavior and node like Consul', async () => {
    const short = await call('PUT', '/v1/session/create', { body: { TTL: '5s' } });
    expect(short.status).to.equal(500);
    expect(short.text).to.equal("Invalid Session TTL '5000000000', must be between [10s=24h0m0s]");
    const behavior = await call('PUT', '/v1/session/create', { body: { Behavior: 'explode' } });
    expect([behavior.status, behavior.text]).to.deep.equal([500, "Invalid Behavior setting 'explode'"]);
    const node = await call('PUT', '/v1/session/create', { body: { Node: 'ghost' } });
    expect([node.status, node.text]).to.deep.equal([500, 'Missing node registration']);
    await call('PUT', '/v1/catalog/register', { body: { Node: 'bare', Address: '10.0.0.9' } });
    const noCheck = await call('PUT', '/v1/session/create', { body: { Node: 'bare' } });
    expect([noCheck.status, noCheck.text]).to.deep.equal([500, "Missing check 'serfHealth' registration"]);
    const noChecks = await call('PUT', '/v1/session/create', { body: { Node: 'bare', NodeChecks: [] } });
    expect(noChecks.status).to.equal(200);
    const unknown = await call('PUT', '/v1/session/create', { body: { Nmae: 'typo' } });
    expect([unknown.status, unknown.text]).to.deep.equal([
      400,
      'Request decode failed: json: unknown field "Nmae"',
    ]);
  });

  it('acquires and releases a lock, counting LockIndex', async () => {
    const a = await session({ Name: 'a' });
    const b = await session({ Name: 'b' });
    const acquire = (id: string, value: string) =>
      call('PUT', `/v1/kv/service/leader?acquire=${id}`, { rawBody: value });
    expect((await acquire(a, 'a')).json()).to.equal(true);
    let entry = await kv('service/leader');
    expect(entry).to.include({ Session: a, LockIndex: 1, Key: 'service/leader' });
    expect(Buffer.from(entry!.Value!, 'base64').toString()).to.equal('a');
    expect((await acquire(b, 'b')).json()).to.equal(false);
    expect((await acquire(a, 'a2')).json()).to.equal(true);
    expect((await kv('service/leader'))!.LockIndex).to.equal(1);
    expect((await call('PUT', `/v1/kv/service/leader?release=${b}`)).json()).to.equal(false);
    expect((await call('PUT', `/v1/kv/service/leader?release=${a}`)).json()).to.equal(true);
    entry = await kv('service/leader');
    expect(entry).not.to.have.property('Session');
    expect((await acquire(b, 'b')).json()).to.equal(true);
    expect((await kv('service/leader'))!.LockIndex).to.equal(2);

    const invalid = await call('PUT', '/v1/kv/x?acquire=00000000-1111-4222-8333-444444444444');
    expect(invalid.status).to.equal(500);
    expect(invalid.text).to.contain('invalid session');
    const conflict = await call('PUT', `/v1/kv/x?acquire=${a}&cas=0`);
    expect(conflict.status).to.equal(400);
    expect(conflict.text).to.match(/^Conflicting flags: /);
  });

  it('expires a TTL session on the clock, releasing its lock and applying lock-delay', async () => {
    const holder = await session({ TTL: '10s', LockDelay: '5s' });
    const waiter = await session({});
    expect((await call('PUT', `/v1/kv/lock?acquire=${holder}`, { rawBody: 'x' })).json()).to.equal(true);
    await clock.advance(9_999);
    expect((await kv('lock'))!.Session).to.equal(holder);
    await clock.advance(1);
    expect(await kv('lock')).not.to.have.property('Session');
    expect((await call('GET', `/v1/session/info/${holder}`)).json()).to.deep.equal([]);
    expect((await call('PUT', `/v1/kv/lock?acquire=${waiter}`)).json()).to.equal(false);
    await clock.advance(4_999);
    expect((await call('PUT', `/v1/kv/lock?acquire=${waiter}`)).json()).to.equal(false);
    await clock.advance(1);
    expect((await call('PUT', `/v1/kv/lock?acquire=${waiter}`)).json()).to.equal(true);
  });

  it('keeps a renewed session alive past its first TTL', async () => {
    const id = await session({ TTL: '10s' });
    await clock.advance(8_000);
    expect((await call('PUT', `/v1/session/renew/${id}`)).status).to.equal(200);
    await clock.advance(8_000);
    expect((await call('GET', `/v1/session/info/${id}`)).json<unknown[]>()).to.have.length(1);
    await clock.advance(2_000);
    expect((await call('GET', `/v1/session/info/${id}`)).json<unknown[]>()).to.have.length(0);
  });

  it('deletes held keys when a delete-behavior session is destroyed', async () => {
    const id = await session({ Behavior: 'delete', LockDelay: '0s' });
    await call('PUT', `/v1/kv/ephemeral?acquire=${id}`, { rawBody: 'x' });
    await call('PUT', `/v1/session/destroy/${id}`);
    expect(await kv('ephemeral')).to.equal(undefined);
  });

  it('supports cas, flags, recurse, keys, raw and delete', async () => {
    expect((await call('PUT', '/v1/kv/app/one?flags=42', { rawBody: '1' })).json()).to.equal(true);
    const entry = (await kv('app/one'))!;
    expect(entry.Flags).to.equal(42);
    expect(
      (await call('PUT', `/v1/kv/app/one?cas=${entry.ModifyIndex + 100}`, { rawBody: 'x' })).json(),
    ).to.equal(false);
    expect((await call('PUT', `/v1/kv/app/one?cas=${entry.ModifyIndex}`, { rawBody: 'y' })).json()).to.equal(
      true,
    );
    expect((await call('PUT', '/v1/kv/app/one?cas=0', { rawBody: 'z' })).json()).to.equal(false);
    expect((await call('PUT', '/v1/kv/app/sub/two?cas=0', { rawBody: '2' })).json()).to.equal(true);

    const recurse = await call('GET', '/v1/kv/app/?recurse');
    expect(recurse.json<KvJson[]>().map((e) => e.Key)).to.deep.equal(['app/one', 'app/sub/two']);
    const keys = await call('GET', '/v1/kv/app/?keys&separator=/');
    expect(keys.json()).to.deep.equal(['app/one', 'app/sub/']);
    const raw = await call('GET', '/v1/kv/app/one?raw');
    expect(raw.text).to.equal('y');

    expect((await call('DELETE', '/v1/kv/app/one?cas=1')).json()).to.equal(false);
    expect((await call('DELETE', '/v1/kv/missing?cas=7')).json()).to.equal(true);
    const noSession = await call('PUT', '/v1/kv/app/one?acquire=', { rawBody: 'x' });
    expect([noSession.status, noSession.text]).to.deep.equal([500, 'missing session']);
    expect((await call('DELETE', '/v1/kv/app/one')).json()).to.equal(true);
    expect(await kv('app/one')).to.equal(undefined);
    expect((await call('DELETE', '/v1/kv/app?recurse')).json()).to.equal(true);
    const none = await call('GET', '/v1/kv/app?recurse');
    expect(none.status).to.equal(404);
    expect(none.text).to.equal('');
    const noKey = await call('PUT', '/v1/kv/', { rawBody: 'x' });
    expect([noKey.status, noKey.text]).to.deep.equal([400, 'Missing key name']);
  });

  it('honours the TTL multiplier option (real Consul waits up to 2×TTL)', async () => {
    const lenient = await startConsulServer({ clock, sessionTtlMultiplier: 2 });
    try {
      const lenientCall = client(lenient);
      const id = (await lenientCall('PUT', '/v1/session/create', { body: { TTL: '10s' } })).json<{
        ID: string;
      }>().ID;
      await clock.advance(10_000);
      expect((await lenientCall('GET', `/v1/session/info/${id}`)).json<unknown[]>()).to.have.length(1);
      await clock.advance(10_000);
      expect((await lenientCall('GET', `/v1/session/info/${id}`)).json<unknown[]>()).to.have.length(0);
    } finally {
      await lenient.close();
    }
  });
});
