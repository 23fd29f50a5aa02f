import { expect } from 'chai';

import { startConsulServer } from '../../../envtest/consul/server.js';
import { client, ensureTenancy, type PolicyJson, type TokenJson, useConsulServer } from './helpers.js';

async function tokenWithRules(
  call: ReturnType<typeof client>,
  name: string,
  rules: string,
): Promise<TokenJson> {
  const policy = await call('PUT', '/v1/acl/policy', { body: { Name: name, Rules: rules } });
  expect(policy.status).to.equal(200);
  const token = await call('PUT', '/v1/acl/token', { body: { Policies: [{ Name: name }] } });
  return token.json<TokenJson>();
}

describe('Consul envtest: authorization', () => {
  const consul = useConsulServer();
  const { call } = consul;

  it('treats a request without a token as the anonymous token', async () => {
    const response = await call('PUT', '/v1/acl/policy', { token: null, body: { Name: 'x' } });
    expect(response.status).to.equal(403);
    expect(response.text).to.equal(
      "Permission denied: anonymous token lacks permission 'acl:write'. The anonymous token is used implicitly when a request does not specify a token.",
    );
  });

  it('answers 403 "ACL not found" for an unknown token', async () => {
    const response = await call('GET', '/v1/acl/policies', { token: '3f1e0c1a-1111-4222-8333-444455556666' });
    expect(response.status).to.equal(403);
    expect(response.text).to.equal('ACL not found');
  });

  it('lets an acl:read token read but not write, naming its AccessorID', async () => {
    const reader = await tokenWithRules(call, 'reader', 'acl = "read"');
    expect((await call('GET', '/v1/acl/policies', { token: reader.SecretID })).status).to.equal(200);
    const write = await call('PUT', '/v1/acl/policy', { token: reader.SecretID, body: { Name: 'nope' } });
    expect(write.status).to.equal(403);
    expect(write.text).to.equal(
      `Permission denied: token with AccessorID '${reader.AccessorID}' lacks permission 'acl:write'`,
    );
    expect(write.text).not.to.contain(reader.SecretID);
  });

  it('denies reads to a token without acl rules', async () => {
    const nobody = (await call('PUT', '/v1/acl/token', { body: {} })).json<TokenJson>();
    const read = await call('GET', '/v1/acl/tokens', { token: nobody.SecretID });
    expect(read.status).to.equal(403);
    expect(read.text).to.contain("lacks permission 'acl:read'");
  });

  it('accepts the token from X-Consul-Token, ?token= and Authorization: Bearer', async () => {
    const secret = consul.server.managementToken;
    expect(
      (await call('GET', '/v1/acl/policies', { token: null, headers: { 'X-Consul-Token': secret } })).status,
    ).to.equal(200);
    expect((await call('GET', `/v1/acl/policies?token=${secret}`, { token: null })).status).to.equal(200);
    expect(
      (await call('GET', '/v1/acl/policies', { token: null, headers: { Authorization: `Bearer ${secret}` } }))
        .status,
    ).to.equal(200);
  });

  it('prefers ?token= over X-Consul-Token, as Consul does', async () => {
    const response = await call('GET', '/v1/acl/policies?token=0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6');
    expect([response.status, response.text]).to.deep.equal([403, 'ACL not found']);
  });

  it('evaluates key_prefix and session_prefix rules (exact beats prefix, longest prefix wins)', async () => {
    const token = await tokenWithRules(
      call,
      'locker',
      `key_prefix "locks/" { policy = "write" }
key_prefix "locks/ro/" { policy = "read" }
key "locks/ro/special" { policy = "write" }
session_prefix "" { policy = "write" }`,
    );
    const put = (key: string) => call('PUT', `/v1/kv/${key}`, { token: token.SecretID, rawBody: 'v' });
    expect((await put('locks/leader')).status).to.equal(200);
    const denied = await put('locks/ro/thing');
    expect(denied.status).to.equal(403);
    expect(denied.text).to.equal(
      `Permission denied: token with AccessorID '${token.AccessorID}' lacks permission 'key:write' on "locks/ro/thing"`,
    );
    expect((await put('locks/ro/special')).status).to.equal(200);
    expect((await put('other')).status).to.equal(403);
    const session = await call('PUT', '/v1/session/create', { token: token.SecretID, body: { Name: 's' } });
    expect(session.status).to.equal(200);
  });

  it('gives service identities write on their service and its sidecar', async () => {
    const token = (
      await call('PUT', '/v1/acl/token', { body: { ServiceIdentities: [{ ServiceName: 'web' }] } })
    ).json<TokenJson>();
    const register = (service: string) =>
      call('PUT', '/v1/catalog/register', {
        token: token.SecretID,
        body: {
          Node: 'test-node',
          Address: '127.0.0.1',
          SkipNodeUpdate: true,
          Service: { Service: service },
        },
      });
    expect((await register('web')).status).to.equal(200);
    expect((await register('web-sidecar-proxy')).status).to.equal(200);
    expect((await register('db')).status).to.equal(403);
  });
});

describe('Consul envtest: version switch', () => {
  for (const version of ['1.14', '1.15'] as const) {
    describe(`version ${version}`, () => {
      const consul = useConsulServer(() => ({ version }));
      const { call } = consul;
      const missing = '5b8f2c3e-9d4a-4e1b-8c7d-6f5a4b3c2d1e';

      it('reports its version in /v1/agent/self', async () => {
        const self = await call('GET', '/v1/agent/self');
        expect(self.status).to.equal(200);
        expect(
          self.json<{ Config: { Version: string } }>().Config.Version.startsWith(`${version}.`),
        ).to.equal(true);
        expect((await call('GET', '/v1/agent/self', { token: null })).status).to.equal(403);
      });

      it('answers reads of missing ACL objects per version', async () => {
        const responses = await Promise.all([
          call('GET', `/v1/acl/token/${missing}`),
          call('GET', `/v1/acl/policy/${missing}`),
          call('GET', '/v1/acl/policy/name/none'),
          call('GET', `/v1/acl/role/${missing}`),
        ]);
        const kinds = ['token', 'policy', 'policy', 'role'];
        responses.forEach((response, i) => {
          if (version === '1.14' && kinds[i] !== 'role') {
            // A missing role already reads 404 on a real 1.14.8 (see the conformance suite).
            expect(response.status).to.equal(403);
            expect(response.text).to.equal('ACL not found');
          } else {
            expect(response.status).to.equal(404);
            expect(response.text).to.equal(`Requested ${kinds[i]} does not exist: ACL not found`);
          }
        });
      });

      it('answers deletes of missing ACL objects per version', async () => {
        const token = await call('DELETE', `/v1/acl/token/${missing}`);
        const policy = await call('DELETE', `/v1/acl/policy/${missing}`);
        const role = await call('DELETE', `/v1/acl/role/${missing}`);
        if (version === '1.14') {
          // Up to 1.14 the RPC treats a missing object as already deleted.
          expect([token.status, token.text]).to.deep.equal([200, 'true']);
          expect([policy.status, policy.text]).to.deep.equal([200, 'true']);
          expect([role.status, role.text]).to.deep.equal([200, 'true']);
        } else {
          expect([token.status, token.text]).to.deep.equal([404, 'Cannot find token to delete']);
          expect([policy.status, policy.text]).to.deep.equal([404, 'Cannot find policy to delete']);
          expect([role.status, role.text]).to.deep.equal([404, 'Cannot find role to delete']);
        }
      });

      it('answers token/self for an unknown secret per version', async () => {
        const response = await call('GET', '/v1/acl/token/self', { token: missing });
        expect(response.status).to.equal(version === '1.14' ? 403 : 404);
        expect(response.text).to.equal(
          version === '1.14' ? 'ACL not found' : 'Supplied token does not exist',
        );
      });
    });
  }
});

describe('Consul envtest: enterprise switch', () => {
  it('rejects partitions and namespaces in OSS mode like Consul CE', async () => {
    const server = await startConsulServer();
    const call = client(server);
    try {
      const ns = await call('GET', '/v1/acl/policies?ns=team');
      expect([ns.status, ns.text]).to.deep.equal([
        400,
        'Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature',
      ]);
      const ap = await call('GET', '/v1/acl/tokens?partition=p1');
      expect([ap.status, ap.text]).to.deep.equal([
        400,
        'Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature',
      ]);
      const header = await call('GET', '/v1/kv/x', { headers: { 'X-Consul-Namespace': 'team' } });
      expect(header.status).to.equal(400);
      expect(header.text).to.equal(
        'Invalid header: "X-Consul-Namespace" - Namespaces are a Consul Enterprise feature',
      );
      const bodyNs = await call('PUT', '/v1/acl/policy', { body: { Name: 'x', Namespace: 'default' } });
      expect([bodyNs.status, bodyNs.text]).to.deep.equal([
        400,
        'Policy decoding failed: json: unknown field "Namespace" - Namespaces are a Consul Enterprise feature',
      ]);
      const bodyAp = await call('PUT', '/v1/acl/token', { body: { Partition: 'default' } });
      expect([bodyAp.status, bodyAp.text]).to.deep.equal([
        400,
        'Token decoding failed: json: unknown field "Partition"',
      ]);
    } finally {
      await server.close();
    }
  });

  it('scopes ACL objects by partition and namespace in enterprise mode', async () => {
    const server = await startConsulServer({ enterprise: true });
    const call = client(server);
    try {
      await ensureTenancy(call, 'default', 'team');
      const inTeam = await call('PUT', '/v1/acl/policy?ns=team', { body: { Name: 'shared-name' } });
      expect(inTeam.status).to.equal(200);
      expect(inTeam.json<PolicyJson>()).to.include({ Namespace: 'team', Partition: 'default' } as never);
      const inDefault = await call('PUT', '/v1/acl/policy', { body: { Name: 'shared-name' } });
      expect(inDefault.status).to.equal(200);
      expect(inDefault.json<PolicyJson>().Namespace).to.equal('default');
      const viaBody = await call('PUT', '/v1/acl/policy', {
        body: { Name: 'shared-name', Namespace: 'team' },
      });
      expect(viaBody.status).to.equal(500);

      const teamList = (await call('GET', '/v1/acl/policies?ns=team')).json<PolicyJson[]>();
      expect(teamList.map((p) => p.Name)).to.deep.equal(['shared-name']);
      const crossRead = await call('GET', `/v1/acl/policy/${inTeam.json<PolicyJson>().ID}`);
      expect(crossRead.status).to.equal(404);

      const token = await call('PUT', '/v1/acl/token', {
        body: { Namespace: 'team', Policies: [{ Name: 'shared-name' }] },
      });
      expect(token.status).to.equal(200);
      expect(token.json<TokenJson>().Policies![0]!.ID).to.equal(inTeam.json<PolicyJson>().ID);
      expect(token.json<TokenJson>().Namespace).to.equal('team');
      const defaultTokens = (await call('GET', '/v1/acl/tokens')).json<TokenJson[]>();
      expect(defaultTokens.some((t) => t.AccessorID === token.json<TokenJson>().AccessorID)).to.equal(false);

      const self = await call('GET', '/v1/agent/self');
      expect(self.json<{ Config: { VersionMetadata: string } }>().Config.VersionMetadata).to.equal('ent');
    } finally {
      await server.close();
    }
  });
});
