// Enterprise-only (envtest's Enterprise mode; CI has no Consul Enterprise): a write into a
// namespace or partition that does not exist is refused, as Consul Enterprise's RPC layer does
// (`Namespace "<ns>" does not exist`, hashicorp/consul#8123), while reads find nothing; and a
// namespace's PolicyDefaults and RoleDefaults apply to every token in it.
import { expect } from 'chai';

import { startConsulServer } from '../../../envtest/consul/server.js';
import { type Call, client, ensureTenancy, type TokenJson, useConsulServer } from './helpers.js';

describe('Consul envtest Enterprise (Enterprise-only): namespace existence and namespace default policies', () => {
  const consul = useConsulServer(() => ({ enterprise: true }));

  const refusedIn = async (call: Call, method: string, path: string, body: unknown, rawBody?: string) => {
    const res = await call(method, path, rawBody !== undefined ? { rawBody } : { body });
    return [res.status, res.text];
  };

  it('refuses every kind of write into a missing namespace or partition, and reads it as empty', async () => {
    const { call } = consul;
    const missing = [500, 'Namespace "ghost" does not exist'];
    expect(await refusedIn(call, 'PUT', '/v1/acl/token?ns=ghost', { Description: 't' })).to.deep.equal(
      missing,
    );
    expect(await refusedIn(call, 'PUT', '/v1/acl/policy', { Name: 'p', Namespace: 'ghost' })).to.deep.equal(
      missing,
    );
    expect(await refusedIn(call, 'PUT', '/v1/acl/role?ns=ghost', { Name: 'r' })).to.deep.equal(missing);
    expect(
      await refusedIn(call, 'PUT', '/v1/acl/auth-method?ns=ghost', {
        Name: 'm',
        Type: 'aws-iam',
        Config: { BoundIAMPrincipalARNs: ['arn:aws:iam::123456789012:role/x'] },
      }),
    ).to.deep.equal(missing);
    expect(await refusedIn(call, 'PUT', '/v1/kv/k?ns=ghost', undefined, 'v')).to.deep.equal(missing);
    expect(await refusedIn(call, 'PUT', '/v1/session/create?ns=ghost', {})).to.deep.equal(missing);
    expect(
      await refusedIn(call, 'PUT', '/v1/catalog/register?ns=ghost', {
        Node: 'n1',
        Address: '10.0.0.1',
        Service: { Service: 'web' },
      }),
    ).to.deep.equal(missing);
    expect(await refusedIn(call, 'PUT', '/v1/acl/token?partition=nowhere', {})).to.deep.equal([
      500,
      'Partition "nowhere" does not exist',
    ]);
    const list = await call('GET', '/v1/acl/tokens?ns=ghost');
    expect([list.status, list.text]).to.deep.equal([200, '[]']);
    // Once created, the same write succeeds there.
    await ensureTenancy(call, 'default', 'ghost');
    const token = await call('PUT', '/v1/acl/token?ns=ghost', { body: { Description: 't' } });
    expect([token.status, token.json<TokenJson>().Namespace]).to.deep.equal([200, 'ghost']);
  });

  it("grants a token its namespace's PolicyDefaults and RoleDefaults, and no token elsewhere", async () => {
    const { call } = consul;
    await ensureTenancy(call, 'default', 'team');
    await ensureTenancy(call, 'default', 'other');
    const policy = (name: string, rules: string) =>
      call('PUT', '/v1/acl/policy', { body: { Name: name, Rules: rules } });
    expect((await policy('kv-write', 'key_prefix "" { policy = "write" }')).status).to.equal(200);
    expect(
      (await policy('svc-read', 'service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }'))
        .status,
    ).to.equal(200);
    const role = await call('PUT', '/v1/acl/role', {
      body: { Name: 'readers', Policies: [{ Name: 'svc-read' }] },
    });
    expect(role.status, role.text).to.equal(200);
    const defaults = await call('PUT', '/v1/namespace/team', {
      body: {
        Name: 'team',
        ACLs: { PolicyDefaults: [{ Name: 'kv-write' }], RoleDefaults: [{ Name: 'readers' }] },
      },
    });
    expect(defaults.status, defaults.text).to.equal(200);
    const bare = async (ns: string) =>
      (
        await call('PUT', `/v1/acl/token?ns=${ns}`, { body: { Description: `bare in ${ns}` } })
      ).json<TokenJson>();
    const inTeam = await bare('team');
    const inOther = await bare('other');
    expect(inTeam.Policies, 'the defaults are not linked to the token').to.equal(undefined);
    const putKv = (token: TokenJson, ns: string) =>
      call('PUT', `/v1/kv/cfg?ns=${ns}`, { token: token.SecretID, rawBody: 'v' });
    expect((await putKv(inTeam, 'team')).status).to.equal(200);
    expect((await putKv(inOther, 'other')).status).to.equal(403);
    // RoleDefaults: the role's service read shows a registered service to the team's token only.
    for (const ns of ['team', 'other']) {
      const registered = await call('PUT', `/v1/catalog/register?ns=${ns}`, {
        body: { Node: `n-${ns}`, Address: '10.0.0.1', Service: { Service: 'web' } },
      });
      expect(registered.status, registered.text).to.equal(200);
    }
    const services = async (token: TokenJson, ns: string) =>
      (await call('GET', `/v1/catalog/service/web?ns=${ns}`, { token: token.SecretID }))
        .json<{ ServiceName: string }[]>()
        .map((entry) => entry.ServiceName);
    expect(await services(inTeam, 'team')).to.deep.equal(['web']);
    expect(await services(inOther, 'other')).to.deep.equal([]);
  });

  it('accepts such writes with requireNamespaces: false (the older, laxer emulation)', async () => {
    const lax = await startConsulServer({ enterprise: true, requireNamespaces: false });
    try {
      const token = await client(lax)('PUT', '/v1/acl/token?ns=ghost', { body: { Description: 't' } });
      expect([token.status, token.json<TokenJson>().Namespace]).to.deep.equal([200, 'ghost']);
    } finally {
      await lax.close();
    }
  });
});
