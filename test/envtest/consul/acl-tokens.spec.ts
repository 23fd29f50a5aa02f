import { expect } from 'chai';

import { startConsulServer } from '../../../envtest/consul/server.js';
import { client, type PolicyJson, type TokenJson, useConsulServer } from './helpers.js';

describe('Consul envtest: ACL tokens', () => {
  const consul = useConsulServer();
  const { call } = consul;

  async function policy(name: string, rules = ''): Promise<PolicyJson> {
    const response = await call('PUT', '/v1/acl/policy', { body: { Name: name, Rules: rules } });
    expect(response.status).to.equal(200);
    return response.json<PolicyJson>();
  }

  it('creates a token linking a policy by name and resolves both ID and Name', async () => {
    const p = await policy('svc-web');
    const created = await call('PUT', '/v1/acl/token', {
      body: {
        Description: 'web',
        Policies: [{ Name: 'svc-web' }],
        ServiceIdentities: [{ ServiceName: 'web' }],
      },
    });
    expect(created.status).to.equal(200);
    const token = created.json<TokenJson>();
    expect(token.Policies).to.deep.equal([{ ID: p.ID, Name: 'svc-web' }]);
    expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: 'web' }]);
    expect(token.AccessorID).to.match(/^[0-9a-f-]{36}$/);
    expect(token.SecretID).to.match(/^[0-9a-f-]{36}$/);
    expect(token.CreateIndex).to.equal(token.ModifyIndex);
    expect(token).to.include.keys('CreateTime', 'Hash', 'Local');
    expect(token).not.to.have.property('Namespace');

    const read = await call('GET', `/v1/acl/token/${token.AccessorID}`);
    expect(read.status).to.equal(200);
    expect(read.json<TokenJson>().Policies).to.deep.equal([{ ID: p.ID, Name: 'svc-web' }]);
    expect(read.index).to.be.at.least(token.ModifyIndex);
  });

  it('accepts preset AccessorID and SecretID, rejects duplicates and non-UUIDs', async () => {
    const accessor = '6a1253d2-1785-4b1e-9b3d-5c2b3f0e6a11';
    const secret = '9d3c1f59-2a2e-4b4e-8a58-3b9f2d2e8c22';
    const first = await call('PUT', '/v1/acl/token', { body: { AccessorID: accessor, SecretID: secret } });
    expect(first.status).to.equal(200);
    expect(first.json<TokenJson>()).to.include({ AccessorID: accessor, SecretID: secret });

    const dupAccessor = await call('PUT', '/v1/acl/token', { body: { AccessorID: accessor } });
    expect(dupAccessor.status).to.equal(500);
    expect(dupAccessor.text).to.equal('Invalid Token: AccessorID is already in use');

    const dupSecret = await call('PUT', '/v1/acl/token', { body: { SecretID: secret } });
    expect(dupSecret.status).to.equal(500);
    expect(dupSecret.text).to.equal('Invalid Token: SecretID is already in use');

    const bad = await call('PUT', '/v1/acl/token', { body: { AccessorID: 'not-a-uuid' } });
    expect(bad.status).to.equal(500);
    expect(bad.text).to.equal('Invalid Token: AccessorID - not a valid UUID');

    const reserved = await call('PUT', '/v1/acl/token', {
      body: { SecretID: '00000000-0000-0000-0000-000000000099' },
    });
    expect(reserved.status).to.equal(500);
    expect(reserved.text).to.equal(
      'Invalid Token: SecretID - UUIDs with the prefix "00000000-0000-0000-0000-0000000000" are reserved',
    );
  });

  it('rejects unknown body fields, malformed JSON and unknown policies', async () => {
    const unknown = await call('PUT', '/v1/acl/token', { body: { Description: 'x', Bogus: true } });
    expect(unknown.status).to.equal(400);
    expect(unknown.text).to.equal('Token decoding failed: json: unknown field "Bogus"');

    const malformed = await call('PUT', '/v1/acl/token', { rawBody: '<html>' });
    expect(malformed.status).to.equal(400);
    expect(malformed.text).to.equal(
      "Token decoding failed: invalid character '<' looking for beginning of value",
    );

    const empty = await call('PUT', '/v1/acl/token', { rawBody: '' });
    expect(empty.status).to.equal(400);
    expect(empty.text).to.equal('Token decoding failed: EOF');

    const wrongType = await call('PUT', '/v1/acl/token', { body: { Description: 5 } });
    expect(wrongType.status).to.equal(400);
    expect(wrongType.text).to.equal(
      'Token decoding failed: json: cannot unmarshal number into Go struct field ACLToken.Description of type string',
    );

    const missingPolicy = await call('PUT', '/v1/acl/token', { body: { Policies: [{ Name: 'ghost' }] } });
    expect(missingPolicy.status).to.equal(500);
    expect(missingPolicy.text).to.equal('No such ACL policy with name "ghost"');
  });

  it('validates service identity names with Consul rules', async () => {
    for (const bad of ['Web', 'web_', '-web', 'web app']) {
      const response = await call('PUT', '/v1/acl/token', {
        body: { ServiceIdentities: [{ ServiceName: bad }] },
      });
      expect(response.status, bad).to.equal(500);
      expect(response.text).to.equal(
        `Service identity "${bad}" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed`,
      );
    }
    const ok = await call('PUT', '/v1/acl/token', {
      body: { ServiceIdentities: [{ ServiceName: 'web-1_a' }] },
    });
    expect(ok.status).to.equal(200);
  });

  it('updates a token, bumping ModifyIndex but not CreateIndex', async () => {
    await policy('one');
    await policy('two');
    const token = (
      await call('PUT', '/v1/acl/token', { body: { Policies: [{ Name: 'one' }] } })
    ).json<TokenJson>();
    const updated = await call('PUT', `/v1/acl/token/${token.AccessorID}`, {
      body: { Description: 'changed', Policies: [{ Name: 'two' }] },
    });
    expect(updated.status).to.equal(200);
    const after = updated.json<TokenJson>();
    expect(after.Description).to.equal('changed');
    expect(after.Policies!.map((p) => p.Name)).to.deep.equal(['two']);
    expect(after.SecretID).to.equal(token.SecretID);
    expect(after.CreateIndex).to.equal(token.CreateIndex);
    expect(after.ModifyIndex).to.be.greaterThan(token.ModifyIndex);

    const mismatch = await call('PUT', `/v1/acl/token/${token.AccessorID}`, {
      body: { AccessorID: '6a1253d2-1785-4b1e-9b3d-5c2b3f0e6a99' },
    });
    expect(mismatch.status).to.equal(400);
    expect(mismatch.text).to.equal('Token Accessor ID in URL and payload do not match');
  });

  it('deletes tokens, refusing to delete the request token', async () => {
    const token = (await call('PUT', '/v1/acl/token', { body: {} })).json<TokenJson>();
    const deleted = await call('DELETE', `/v1/acl/token/${token.AccessorID}`);
    expect(deleted.status).to.equal(200);
    expect(deleted.json()).to.equal(true);
    const gone = await call('GET', `/v1/acl/token/${token.AccessorID}`);
    expect(gone.status).to.equal(404);
    expect(gone.text).to.equal('Requested token does not exist: ACL not found');

    const self = (await call('GET', '/v1/acl/token/self')).json<TokenJson>();
    const own = await call('DELETE', `/v1/acl/token/${self.AccessorID}`);
    expect(own.status).to.equal(500);
    expect(own.text).to.equal("Deletion of the request's authorization token is not permitted");

    const invalid = await call('DELETE', '/v1/acl/token/xyz');
    expect(invalid.status).to.equal(500);
    expect(invalid.text).to.equal('Accessor ID is missing or an invalid UUID');
  });

  it('lists tokens with policy, role and authmethod filters', async () => {
    const a = await policy('a');
    await policy('b');
    const role = (
      await call('PUT', '/v1/acl/role', { body: { Name: 'r', Policies: [{ Name: 'b' }] } })
    ).json<{
      ID: string;
    }>();
    const withA = (
      await call('PUT', '/v1/acl/token', { body: { Policies: [{ ID: a.ID }] } })
    ).json<TokenJson>();
    const withRole = (
      await call('PUT', '/v1/acl/token', { body: { Roles: [{ Name: 'r' }] } })
    ).json<TokenJson>();

    const all = await call('GET', '/v1/acl/tokens');
    expect(all.status).to.equal(200);
    // anonymous + initial management + two created
    expect(all.json<TokenJson[]>()).to.have.length(4);

    const byPolicy = (await call('GET', `/v1/acl/tokens?policy=${a.ID}`)).json<TokenJson[]>();
    expect(byPolicy.map((t) => t.AccessorID)).to.deep.equal([withA.AccessorID]);
    const byRole = (await call('GET', `/v1/acl/tokens?role=${role.ID}`)).json<TokenJson[]>();
    expect(byRole.map((t) => t.AccessorID)).to.deep.equal([withRole.AccessorID]);
    expect(byRole[0]!.Roles).to.deep.equal([{ ID: role.ID, Name: 'r' }]);
    const byMethod = (await call('GET', '/v1/acl/tokens?authmethod=k8s')).json<TokenJson[]>();
    expect(byMethod).to.deep.equal([]);
  });

  it('shows list SecretIDs only to callers with acl:write', async () => {
    await policy('acl-read', 'acl = "read"');
    const reader = (
      await call('PUT', '/v1/acl/token', { body: { Policies: [{ Name: 'acl-read' }] } })
    ).json<TokenJson>();
    const asManager = (await call('GET', '/v1/acl/tokens')).json<TokenJson[]>();
    expect(asManager.find((t) => t.AccessorID === reader.AccessorID)!.SecretID).to.equal(reader.SecretID);
    const asReader = await call('GET', '/v1/acl/tokens', { token: reader.SecretID });
    expect(asReader.status).to.equal(200);
    expect(asReader.json<TokenJson[]>().every((t) => t.SecretID === '<hidden>')).to.equal(true);
  });

  it('reads token/self for any valid token and rejects unknown ones', async () => {
    const plain = (
      await call('PUT', '/v1/acl/token', { body: { Description: 'no rights' } })
    ).json<TokenJson>();
    const self = await call('GET', '/v1/acl/token/self', { token: plain.SecretID });
    expect(self.status).to.equal(200);
    expect(self.json<TokenJson>().AccessorID).to.equal(plain.AccessorID);
    const unknown = await call('GET', '/v1/acl/token/self', {
      token: '1d0b7e0c-0000-4000-8000-000000000000',
    });
    expect(unknown.status).to.equal(404);
    expect(unknown.text).to.equal('Supplied token does not exist');
  });

  it('bootstraps once when no initial management token is configured', async () => {
    const fresh = await startConsulServer({ initialManagement: false });
    try {
      const freshCall = client(fresh);
      const before = await freshCall('GET', '/v1/acl/tokens', {
        token: '5d2e9a4c-1b3f-4e6a-8c7d-9e0f1a2b3c4d',
      });
      expect([before.status, before.text]).to.deep.equal([
        403,
        'ACL system must be bootstrapped before making any requests that require authorization: ACL not found',
      ]);
      const first = await freshCall('PUT', '/v1/acl/bootstrap', { token: null });
      expect(first.status).to.equal(200);
      const body = first.json<TokenJson & { ID: string }>();
      expect(body.ID).to.equal(body.SecretID);
      expect(body.Policies).to.deep.equal([
        { ID: '00000000-0000-0000-0000-000000000001', Name: 'global-management' },
      ]);
      const usable = await freshCall('GET', '/v1/acl/tokens', { token: body.SecretID });
      expect(usable.status).to.equal(200);
      // management + anonymous, as Consul's own API test expects after bootstrap
      expect(usable.json<TokenJson[]>()).to.have.length(2);
      const second = await freshCall('PUT', '/v1/acl/bootstrap', { token: null });
      expect(second.status).to.equal(403);
      expect(second.text).to.match(
        /^Permission denied: ACL bootstrap no longer allowed \(reset index: \d+\)$/,
      );
    } finally {
      await fresh.close();
    }
  });

  it('refuses bootstrap when the initial management token is installed', async () => {
    const response = await call('PUT', '/v1/acl/bootstrap', { token: null });
    expect(response.status).to.equal(403);
    expect(response.text).to.contain('ACL bootstrap no longer allowed');
  });
});
