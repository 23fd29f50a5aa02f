import { expect } from 'chai';

import { startConsulServer } from '../../../envtest/consul/server.js';
import { client, ensureTenancy, type PolicyJson, type TokenJson, useConsulServer } from './helpers.js';

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('Consul envtest: more behaviour', () => {
  const consul = useConsulServer();
  const { call } = consul;

  it('refuses to change the rules of the builtin global-management policy', async () => {
    const builtin = (await call('GET', '/v1/acl/policy/name/global-management')).json<PolicyJson>();
    const response = await call('PUT', `/v1/acl/policy/${builtin.ID}`, {
      body: { Name: 'global-management', Rules: 'acl = "read"' },
    });
    expect(response.status).to.equal(500);
    expect(response.text).to.contain('global-management');
  });

  it('validates policy updates in Consul order with its messages', async () => {
    const a = (await call('PUT', '/v1/acl/policy', { body: { Name: 'a' } })).json<PolicyJson>();
    await call('PUT', '/v1/acl/policy', { body: { Name: 'b' } });
    const badId = await call('PUT', '/v1/acl/policy/not-a-uuid', { body: { Name: 'a' } });
    expect([badId.status, badId.text]).to.deep.equal([500, 'Policy ID invalid UUID']);
    const missing = await call('PUT', '/v1/acl/policy/7c9e6679-7425-40de-944b-e07fc1f90ae7', {
      body: { Name: 'z' },
    });
    expect([missing.status, missing.text]).to.deep.equal([
      500,
      'cannot find policy 7c9e6679-7425-40de-944b-e07fc1f90ae7',
    ]);
    const clash = await call('PUT', `/v1/acl/policy/${a.ID}`, { body: { Name: 'b' } });
    expect([clash.status, clash.text]).to.deep.equal([
      500,
      'Invalid Policy: A policy with name "b" already exists',
    ]);
  });

  it('validates token updates with token_writer messages', async () => {
    const token = (await call('PUT', '/v1/acl/token', { body: {} })).json<TokenJson>();
    const missing = await call('PUT', '/v1/acl/token/7c9e6679-7425-40de-944b-e07fc1f90ae7', { body: {} });
    expect([missing.status, missing.text]).to.deep.equal([
      500,
      'Cannot find token "7c9e6679-7425-40de-944b-e07fc1f90ae7"',
    ]);
    const local = await call('PUT', `/v1/acl/token/${token.AccessorID}`, { body: { Local: true } });
    expect([local.status, local.text]).to.deep.equal([
      500,
      `Cannot toggle local mode of ${token.AccessorID}`,
    ]);
    const secret = await call('PUT', `/v1/acl/token/${token.AccessorID}`, {
      body: { SecretID: '7c9e6679-7425-40de-944b-e07fc1f90ae8' },
    });
    expect([secret.status, secret.text]).to.deep.equal([500, "Changing a token's SecretID is not permitted"]);
    const method = await call('PUT', '/v1/acl/token', { body: { AuthMethod: 'k8s' } });
    expect([method.status, method.text]).to.deep.equal([
      500,
      'AuthMethod field is disallowed outside of login',
    ]);
  });

  it('updates a role and keeps its ID', async () => {
    await call('PUT', '/v1/acl/policy', { body: { Name: 'p1' } });
    await call('PUT', '/v1/acl/policy', { body: { Name: 'p2' } });
    const role = (
      await call('PUT', '/v1/acl/role', { body: { Name: 'r', Policies: [{ Name: 'p1' }] } })
    ).json<{
      ID: string;
      ModifyIndex: number;
    }>();
    const updated = await call('PUT', `/v1/acl/role/${role.ID}`, {
      body: { Name: 'r2', Policies: [{ Name: 'p2' }] },
    });
    expect(updated.status).to.equal(200);
    const body = updated.json<{
      ID: string;
      Name: string;
      Policies: { Name: string }[];
      ModifyIndex: number;
    }>();
    expect(body.ID).to.equal(role.ID);
    expect(body.Name).to.equal('r2');
    expect(body.Policies.map((p) => p.Name)).to.deep.equal(['p2']);
    expect(body.ModifyIndex).to.be.greaterThan(role.ModifyIndex);
  });

  it('stops a token without session rights from destroying a session', async () => {
    const session = (await call('PUT', '/v1/session/create', { body: {} })).json<{ ID: string }>().ID;
    const nobody = (await call('PUT', '/v1/acl/token', { body: {} })).json<TokenJson>();
    const denied = await call('PUT', `/v1/session/destroy/${session}`, { token: nobody.SecretID });
    expect(denied.status).to.equal(403);
    expect(denied.text).to.contain('lacks permission \'session:write\' on "test-node"');
    const hidden = await call('GET', '/v1/session/list', { token: nobody.SecretID });
    expect(hidden.json()).to.deep.equal([]);
    expect((await call('GET', '/v1/session/list')).json<unknown[]>()).to.have.length(1);
  });

  it('filters recursive KV reads to readable keys', async () => {
    await call('PUT', '/v1/kv/public/a', { rawBody: '1' });
    await call('PUT', '/v1/kv/private/b', { rawBody: '2' });
    await call('PUT', '/v1/acl/policy', {
      body: { Name: 'pub', Rules: 'key_prefix "public/" { policy = "read" }' },
    });
    const token = (
      await call('PUT', '/v1/acl/token', { body: { Policies: [{ Name: 'pub' }] } })
    ).json<TokenJson>();
    const all = await call('GET', '/v1/kv/?recurse', { token: token.SecretID });
    expect(all.json<{ Key: string }[]>().map((e) => e.Key)).to.deep.equal(['public/a']);
    const denied = await call('GET', '/v1/kv/private/b', { token: token.SecretID });
    expect(denied.status).to.equal(403);
    const keys = await call('GET', '/v1/kv/?keys', { token: token.SecretID });
    expect([keys.status, keys.json()]).to.deep.equal([200, ['public/a']]);
    const anonymousKeys = await call('GET', '/v1/kv/?keys', { token: null });
    expect([anonymousKeys.status, anonymousKeys.text]).to.deep.equal([200, '[]']);
    const anonymousServices = await call('GET', '/v1/catalog/services', { token: null });
    expect([anonymousServices.status, anonymousServices.text]).to.deep.equal([200, '{}']);
    const deleteTree = await call('DELETE', '/v1/kv/?recurse', { token: token.SecretID });
    expect(deleteTree.status).to.equal(403);
  });

  it('generates reproducible IDs from an injected random source', async () => {
    const a = await startConsulServer({ random: seeded(7) });
    const b = await startConsulServer({ random: seeded(7) });
    try {
      const idA = (await client(a)('PUT', '/v1/acl/policy', { body: { Name: 'x' } })).json<PolicyJson>().ID;
      const idB = (await client(b)('PUT', '/v1/acl/policy', { body: { Name: 'x' } })).json<PolicyJson>().ID;
      expect(idA).to.equal(idB);
      expect(idA).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(a.managementToken).to.equal(b.managementToken);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('scopes KV by namespace in enterprise mode', async () => {
    const ent = await startConsulServer({ enterprise: true });
    const entCall = client(ent);
    try {
      const missing = await entCall('PUT', '/v1/kv/shared?ns=team-a', { rawBody: 'a' });
      expect([missing.status, missing.text]).to.deep.equal([500, 'Namespace "team-a" does not exist']);
      await ensureTenancy(entCall, 'default', 'team-a');
      await ensureTenancy(entCall, 'default', 'team-b');
      await entCall('PUT', '/v1/kv/shared?ns=team-a', { rawBody: 'a' });
      await entCall('PUT', '/v1/kv/shared?ns=team-b', { rawBody: 'b' });
      const a = (await entCall('GET', '/v1/kv/shared?ns=team-a')).json<
        { Value: string; Namespace: string }[]
      >()[0]!;
      expect(Buffer.from(a.Value, 'base64').toString()).to.equal('a');
      expect(a.Namespace).to.equal('team-a');
      expect((await entCall('GET', '/v1/kv/shared')).status).to.equal(404);
    } finally {
      await ent.close();
    }
  });

  it('uses a preset management token when given one', async () => {
    const preset = '4c1a2b3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    const custom = await startConsulServer({ managementToken: preset });
    try {
      expect(custom.managementToken).to.equal(preset);
      const self = await client(custom)('GET', '/v1/acl/token/self');
      expect(self.json<TokenJson>().Description).to.equal('Initial Management Token');
    } finally {
      await custom.close();
    }
  });
});

describe('Consul envtest: token clone', () => {
  it('clones a token with new IDs, the same links and an optional new description', async () => {
    const server = await startConsulServer();
    const call = client(server);
    try {
      await call('PUT', '/v1/acl/policy', { body: { Name: 'p' } });
      const source = (
        await call('PUT', '/v1/acl/token', { body: { Description: 'orig', Policies: [{ Name: 'p' }] } })
      ).json<TokenJson>();
      const clone = await call('PUT', `/v1/acl/token/${source.AccessorID}/clone`, {
        body: { Description: 'copy' },
      });
      expect(clone.status).to.equal(200);
      const cloned = clone.json<TokenJson>();
      expect(cloned.AccessorID).not.to.equal(source.AccessorID);
      expect(cloned.SecretID).not.to.equal(source.SecretID);
      expect(cloned.Description).to.equal('copy');
      expect(cloned.Policies).to.deep.equal(source.Policies);
      const missing = await call('PUT', '/v1/acl/token/7c9e6679-7425-40de-944b-e07fc1f90ae7/clone', {
        body: {},
      });
      expect([missing.status, missing.text]).to.deep.equal([403, 'ACL not found']);
    } finally {
      await server.close();
    }
  });
});
