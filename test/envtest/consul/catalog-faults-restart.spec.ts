import { expect } from 'chai';

import { startConsulServer } from '../../../envtest/consul/server.js';
import { ManualClock } from '../../../src/time/index.js';
import { client, type TokenJson, until, useConsulServer } from './helpers.js';

describe('Consul envtest: catalog', () => {
  const consul = useConsulServer();
  const { call } = consul;

  it('registers, lists and deregisters services on a node', async () => {
    const register = await call('PUT', '/v1/catalog/register', {
      body: {
        Node: 'ecs-task-1',
        Address: '10.0.0.5',
        NodeMeta: { 'synthetic-node': 'true' },
        Service: { ID: 'web-1', Service: 'web', Tags: ['v1'], Port: 8080 },
      },
    });
    expect([register.status, register.json()]).to.deep.equal([200, true]);
    await call('PUT', '/v1/catalog/register', {
      body: {
        Node: 'ecs-task-1',
        Address: '10.0.0.5',
        Service: { ID: 'web-1-sidecar', Service: 'web-sidecar-proxy', Port: 21000 },
      },
    });

    const services = await call('GET', '/v1/catalog/services');
    expect(services.json()).to.deep.equal({ consul: [], web: ['v1'], 'web-sidecar-proxy': [] });
    expect(services.index).to.be.greaterThan(0);

    const web = await call('GET', '/v1/catalog/service/web');
    const [instance] = web.json<Record<string, unknown>[]>();
    expect(instance).to.include({
      Node: 'ecs-task-1',
      Address: '10.0.0.5',
      ServiceID: 'web-1',
      ServiceName: 'web',
      ServicePort: 8080,
    });

    const nodes = (await call('GET', '/v1/catalog/nodes')).json<{ Node: string }[]>();
    expect(nodes.map((n) => n.Node)).to.deep.equal(['ecs-task-1', 'test-node']);

    const node = (await call('GET', '/v1/catalog/node/ecs-task-1')).json<{
      Services: Record<string, unknown>;
    }>();
    expect(Object.keys(node.Services).sort()).to.deep.equal(['web-1', 'web-1-sidecar']);

    await call('PUT', '/v1/catalog/deregister', { body: { Node: 'ecs-task-1', ServiceID: 'web-1' } });
    expect((await call('GET', '/v1/catalog/service/web')).json()).to.deep.equal([]);
    await call('PUT', '/v1/catalog/deregister', { body: { Node: 'ecs-task-1' } });
    expect((await call('GET', '/v1/catalog/node/ecs-task-1')).json()).to.equal(null);
  });

  it('validates registrations and requires node and service write', async () => {
    const noNode = await call('PUT', '/v1/catalog/register', { body: { Address: '1.2.3.4' } });
    expect([noNode.status, noNode.text]).to.deep.equal([500, 'Must provide node']);
    const unknown = await call('PUT', '/v1/catalog/register', { body: { Node: 'n', Adress: 'typo' } });
    expect([unknown.status, unknown.text]).to.deep.equal([
      400,
      'Request decode failed: json: unknown field "Adress"',
    ]);
    const anonymous = await call('PUT', '/v1/catalog/register', {
      token: null,
      body: { Node: 'n', Address: '1.2.3.4' },
    });
    expect(anonymous.status).to.equal(403);
    expect(anonymous.text).to.contain("lacks permission 'node:write'");
  });
});

describe('Consul envtest: faults and call log', () => {
  const consul = useConsulServer();
  const { call } = consul;

  it('throttles with 429 "rate limit exceeded" and counts the call', async () => {
    consul.server.faults.add({ operation: 'acl.token.create', kind: 'throttle', count: 1 });
    const throttled = await call('PUT', '/v1/acl/token', { body: {} });
    expect([throttled.status, throttled.text]).to.deep.equal([429, 'rate limit exceeded']);
    expect((await call('PUT', '/v1/acl/token', { body: {} })).status).to.equal(200);
    expect(consul.server.calls.count('acl.token.create')).to.equal(2);
    expect(consul.server.calls.all()[0]).to.include({
      operation: 'acl.token.create',
      status: 429,
      error: 'RateLimited',
    });
  });

  it('injects server errors and connection resets', async () => {
    consul.server.faults.add({ operation: 'acl.tokens.list', kind: 'server-error', count: 1 });
    consul.server.faults.add({ operation: 'acl.policies.list', kind: 'reset', count: 1 });
    expect((await call('GET', '/v1/acl/tokens')).status).to.equal(500);
    let failed = false;
    try {
      await call('GET', '/v1/acl/policies');
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    expect((await call('GET', '/v1/acl/policies')).status).to.equal(200);
    expect(consul.server.calls.all().map((c) => [c.operation, c.status])).to.deep.equal([
      ['acl.tokens.list', 500],
      ['acl.policies.list', 0],
      ['acl.policies.list', 200],
    ]);
    expect(consul.server.faults.injectedCount).to.equal(2);
  });

  it('delays a call by the latency fault on the injected clock', async () => {
    const clock = new ManualClock();
    const slow = await startConsulServer({ clock });
    try {
      slow.faults.add({ operation: 'status.leader', kind: 'latency', latencyMs: 2_000, count: 1 });
      let settled = false;
      const pending = client(slow)('GET', '/v1/status/leader').then((r) => {
        settled = true;
        return r;
      });
      await until(() => clock.pendingTimers > 0);
      await clock.advance(1_999);
      expect(settled).to.equal(false);
      await clock.advance(1);
      const answer = await pending;
      expect(answer.json()).to.equal('127.0.0.1:8300');
    } finally {
      await slow.close();
    }
  });

  it('names operations and resources, and never logs a SecretID', async () => {
    const token = (
      await call('PUT', '/v1/acl/token', { body: { SecretID: '0b9e7a52-0c5e-4b55-9d6e-3a3f2b1c0d99' } })
    ).json<TokenJson>();
    await call('GET', `/v1/acl/token/${token.AccessorID}`);
    await call('GET', '/v1/acl/token/self', { token: token.SecretID });
    await call('PUT', '/v1/acl/policy', { body: { Name: 'named' } });
    await call('PUT', '/v1/kv/locks/leader', { rawBody: 'x' });
    await call('GET', '/v1/acl/tokens', { token: token.SecretID });
    const session = (await call('PUT', '/v1/session/create', { body: {} })).json<{ ID: string }>().ID;
    await call('PUT', `/v1/kv/locks/leader?acquire=${session}`);
    expect(consul.server.calls.snapshot()).to.deep.equal({
      'acl.policy.create': 1,
      'acl.token.create': 1,
      'acl.token.read': 1,
      'acl.token.self': 1,
      'acl.tokens.list': 1,
      'kv.acquire': 1,
      'kv.put': 1,
      'session.create': 1,
    });
    const resources = consul.server.calls.all().map((c) => c.resource);
    expect(resources).to.include(token.AccessorID);
    expect(resources).to.include('named');
    expect(resources).to.include('locks/leader');
    expect(resources).to.include(session);
    expect(JSON.stringify(consul.server.calls.all())).not.to.contain(token.SecretID);
    expect(JSON.stringify(consul.server.calls.all())).not.to.contain(consul.server.managementToken);
    // The caller is named by its token's AccessorID: the management token, then the new token.
    const management = [...consul.server.state.tokens.values()].find(
      (t) => t.secretId === consul.server.managementToken,
    )!;
    const principals = consul.server.calls.all().map((c) => [c.operation, c.principal]);
    expect(principals).to.deep.include(['acl.token.create', management.accessorId]);
    expect(principals).to.deep.include(['acl.tokens.list', token.AccessorID]);
  });

  it('answers unknown paths with 404 and wrong methods with 405', async () => {
    const missing = await call('GET', '/v1/nope');
    expect(missing.status).to.equal(404);
    const wrong = await call('POST', '/v1/acl/token', { body: {} });
    expect([wrong.status, wrong.text]).to.deep.equal([405, 'method POST not allowed']);
  });
});

describe('Consul envtest: restart with state', () => {
  it('keeps tokens, policies, KV, the index and the management token across a restart', async () => {
    const clock = new ManualClock();
    const first = await startConsulServer({ clock });
    const call1 = client(first);
    const policy = await call1('PUT', '/v1/acl/policy', { body: { Name: 'kept' } });
    const token = (
      await call1('PUT', '/v1/acl/token', { body: { Policies: [{ Name: 'kept' }] } })
    ).json<TokenJson>();
    const session = (await call1('PUT', '/v1/session/create', { body: { TTL: '10s' } })).json<{
      ID: string;
    }>().ID;
    await call1('PUT', `/v1/kv/leader?acquire=${session}`, { rawBody: 'me' });
    const indexBefore = first.state.index;
    await first.close();

    const second = await startConsulServer({ clock, state: first.state });
    const call2 = client(second);
    try {
      expect(second.managementToken).to.equal(first.managementToken);
      expect(second.state.index).to.equal(indexBefore);
      const read = await call2('GET', `/v1/acl/token/${token.AccessorID}`);
      expect(read.json<TokenJson>().Policies![0]!.ID).to.equal(policy.json<{ ID: string }>().ID);
      expect((await call2('GET', '/v1/kv/leader')).json<{ Session: string }[]>()[0]!.Session).to.equal(
        session,
      );
      // The restarted leader gives the session a fresh TTL.
      await clock.advance(9_999);
      expect((await call2('GET', `/v1/session/info/${session}`)).json<unknown[]>()).to.have.length(1);
      await clock.advance(1);
      expect((await call2('GET', `/v1/session/info/${session}`)).json<unknown[]>()).to.have.length(0);
      const write = await call2('PUT', '/v1/kv/after', { rawBody: 'x' });
      expect(write.json()).to.equal(true);
      expect(second.state.index).to.be.greaterThan(indexBefore);
    } finally {
      await second.close();
    }
  });
});

describe('Consul envtest: secrets stay out of the call log', () => {
  it('hides a SecretID a client put in a URL path', async () => {
    const server = await startConsulServer();
    const call = client(server);
    try {
      const response = await call('GET', `/v1/acl/token/${server.managementToken}`);
      expect(response.status).to.equal(404);
      const [record] = server.calls.all();
      expect(record).to.include({ operation: 'acl.token.read', resource: '<hidden>' });
      expect(JSON.stringify(server.calls.all())).not.to.contain(server.managementToken);
    } finally {
      await server.close();
    }
  });
});
