import { expect } from 'chai';

import { type PolicyJson, type TokenJson, useConsulServer } from './helpers.js';

const GLOBAL_MANAGEMENT_ID = '00000000-0000-0000-0000-000000000001';

describe('Consul envtest: ACL policies and roles', () => {
  const consul = useConsulServer();
  const { call } = consul;

  it('has the builtin global-management policy, which cannot be deleted', async () => {
    const list = await call('GET', '/v1/acl/policies');
    expect(list.status).to.equal(200);
    const stubs = list.json<PolicyJson[]>();
    expect(stubs.map((p) => p.Name)).to.deep.equal(['global-management']);
    expect(stubs[0]).not.to.have.property('Rules');
    const byName = await call('GET', '/v1/acl/policy/name/global-management');
    expect(byName.json<PolicyJson>().ID).to.equal(GLOBAL_MANAGEMENT_ID);
    expect(byName.json<PolicyJson>().Rules).to.contain('acl = "write"');
    const del = await call('DELETE', `/v1/acl/policy/${GLOBAL_MANAGEMENT_ID}`);
    expect(del.status).to.equal(500);
    expect(del.text).to.contain('global-management');
  });

  it('creates, reads, updates and deletes a policy', async () => {
    const created = await call('PUT', '/v1/acl/policy', {
      body: { Name: 'kv-writer', Description: 'd', Rules: 'key_prefix "app/" {\n  policy = "write"\n}\n' },
    });
    expect(created.status).to.equal(200);
    const policy = created.json<PolicyJson>();
    expect(policy).to.include({ Name: 'kv-writer', Description: 'd' });
    expect(policy.CreateIndex).to.equal(policy.ModifyIndex);

    const byId = await call('GET', `/v1/acl/policy/${policy.ID}`);
    expect(byId.json<PolicyJson>().Rules).to.equal(policy.Rules);
    expect(byId.headers.get('x-consul-knownleader')).to.equal('true');
    expect(byId.headers.get('x-consul-lastcontact')).to.equal('0');

    const updated = await call('PUT', `/v1/acl/policy/${policy.ID}`, {
      body: { Name: 'kv-writer', Rules: 'acl = "read"' },
    });
    expect(updated.status).to.equal(200);
    expect(updated.json<PolicyJson>().ModifyIndex).to.be.greaterThan(policy.ModifyIndex);
    expect(updated.json<PolicyJson>().CreateIndex).to.equal(policy.CreateIndex);

    const deleted = await call('DELETE', `/v1/acl/policy/${policy.ID}`);
    expect(deleted.json()).to.equal(true);
    const gone = await call('GET', `/v1/acl/policy/${policy.ID}`);
    expect(gone.status).to.equal(404);
    expect(gone.text).to.equal('Requested policy does not exist: ACL not found');
    const goneByName = await call('GET', '/v1/acl/policy/name/kv-writer');
    expect(goneByName.status).to.equal(404);
    const deleteAgain = await call('DELETE', `/v1/acl/policy/${policy.ID}`);
    expect(deleteAgain.status).to.equal(404);
    expect(deleteAgain.text).to.equal('Cannot find policy to delete');
  });

  it('rejects duplicate names, bad names, preset IDs and invalid rules as Consul does', async () => {
    expect((await call('PUT', '/v1/acl/policy', { body: { Name: 'dup' } })).status).to.equal(200);
    const dup = await call('PUT', '/v1/acl/policy', { body: { Name: 'dup' } });
    expect(dup.status).to.equal(500);
    expect(dup.text).to.equal('Invalid Policy: A Policy with Name "dup" already exists');

    const badName = await call('PUT', '/v1/acl/policy', { body: { Name: 'has space' } });
    expect(badName.status).to.equal(500);
    expect(badName.text).to.equal(
      "Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed",
    );

    const withId = await call('PUT', '/v1/acl/policy', { body: { ID: GLOBAL_MANAGEMENT_ID, Name: 'x' } });
    expect(withId.status).to.equal(400);
    expect(withId.text).to.equal('Cannot specify the ID when creating a new policy');

    const garbage = await call('PUT', '/v1/acl/policy', { body: { Name: 'g', Rules: 'this is not hcl' } });
    expect(garbage.status).to.equal(500);
    expect(garbage.text).to.equal(
      "Failed to parse ACL rules: At 1:17: key 'this is not hcl' expected start of object ('{') or assignment ('=')",
    );

    const unclosed = await call('PUT', '/v1/acl/policy', {
      body: { Name: 'g', Rules: 'key_prefix "a" { policy = "read"' },
    });
    expect(unclosed.status).to.equal(500);
    expect(unclosed.text).to.match(/^Failed to parse ACL rules: /);

    const badValue = await call('PUT', '/v1/acl/policy', { body: { Name: 'g', Rules: 'acl = "sudo"' } });
    expect(badValue.status).to.equal(500);
    expect(badValue.text).to.equal('Invalid acl policy: "sudo"');

    const json = await call('PUT', '/v1/acl/policy', {
      body: { Name: 'json-rules', Rules: '{"key_prefix": {"a/": {"policy": "write"}}}' },
    });
    expect(json.status).to.equal(200);

    const unknown = await call('PUT', '/v1/acl/policy', { body: { Name: 'u', Extra: 1 } });
    expect(unknown.status).to.equal(400);
    expect(unknown.text).to.equal('Policy decoding failed: json: unknown field "Extra"');
  });

  it('creates roles, reads them by name and ID, and lists and deletes them', async () => {
    await call('PUT', '/v1/acl/policy', { body: { Name: 'p' } });
    const created = await call('PUT', '/v1/acl/role', {
      body: { Name: 'web-role', Policies: [{ Name: 'p' }], ServiceIdentities: [{ ServiceName: 'web' }] },
    });
    expect(created.status).to.equal(200);
    const role = created.json<{ ID: string; Name: string; Policies: { Name: string }[] }>();
    expect(role.Policies.map((p) => p.Name)).to.deep.equal(['p']);

    const byName = await call('GET', '/v1/acl/role/name/web-role');
    expect(byName.json<{ ID: string }>().ID).to.equal(role.ID);
    const byId = await call('GET', `/v1/acl/role/${role.ID}`);
    expect(byId.json<{ Name: string }>().Name).to.equal('web-role');
    const list = await call('GET', '/v1/acl/roles');
    expect(list.json<unknown[]>()).to.have.length(1);

    const dup = await call('PUT', '/v1/acl/role', { body: { Name: 'web-role' } });
    expect(dup.status).to.equal(500);
    expect(dup.text).to.equal('Invalid Role: A Role with Name "web-role" already exists');

    expect((await call('DELETE', `/v1/acl/role/${role.ID}`)).json()).to.equal(true);
    const gone = await call('GET', '/v1/acl/role/name/web-role');
    expect(gone.status).to.equal(404);
    expect(gone.text).to.equal('Requested role does not exist: ACL not found');
  });

  it('drops links to deleted policies from tokens', async () => {
    const policy = (await call('PUT', '/v1/acl/policy', { body: { Name: 'temp' } })).json<PolicyJson>();
    const token = (
      await call('PUT', '/v1/acl/token', { body: { Policies: [{ ID: policy.ID }] } })
    ).json<TokenJson>();
    await call('DELETE', `/v1/acl/policy/${policy.ID}`);
    const read = (await call('GET', `/v1/acl/token/${token.AccessorID}`)).json<TokenJson>();
    expect(read).not.to.have.property('Policies');
  });

  it('grants a role-linked token the role policy rights', async () => {
    await call('PUT', '/v1/acl/policy', { body: { Name: 'acl-writer', Rules: 'acl = "write"' } });
    await call('PUT', '/v1/acl/role', { body: { Name: 'admins', Policies: [{ Name: 'acl-writer' }] } });
    const token = (
      await call('PUT', '/v1/acl/token', { body: { Roles: [{ Name: 'admins' }] } })
    ).json<TokenJson>();
    const create = await call('PUT', '/v1/acl/policy', { token: token.SecretID, body: { Name: 'by-role' } });
    expect(create.status).to.equal(200);
  });
});
