import { expect } from 'chai';

import { startConsulServer } from '../../../envtest/consul/server.js';
import { client } from './helpers.js';

const METHOD = {
  Name: 'iam-ecs-service-token',
  Type: 'aws-iam',
  Description: 'AWS IAM auth method for ECS service tokens',
  Config: {
    BoundIAMPrincipalARNs: ['arn:aws:iam::123456789012:role/consul-ecs/*'],
    EnableIAMEntityDetails: true,
    IAMEntityTags: ['consul.hashicorp.com.service-name'],
  },
};

describe('Consul envtest: auth methods and binding rules', () => {
  it('creates, reads, updates, lists and deletes an aws-iam auth method, and refuses bad ones', async () => {
    const server = await startConsulServer();
    const call = client(server);
    try {
      expect((await call('GET', '/v1/acl/auth-method/iam-ecs-service-token')).status).to.equal(404);
      const created = await call('PUT', '/v1/acl/auth-method', { body: METHOD });
      expect(created.status).to.equal(200);
      expect(created.json<typeof METHOD>()).to.deep.include({
        Name: METHOD.Name,
        Type: 'aws-iam',
        Config: METHOD.Config,
      });
      expect((await call('PUT', '/v1/acl/auth-method', { body: METHOD })).status).to.equal(200);
      expect(
        (await call('PUT', '/v1/acl/auth-method', { body: { ...METHOD, Name: 'x', Type: 'ldap' } })).status,
      ).to.equal(500);
      expect(
        (await call('PUT', '/v1/acl/auth-method', { body: { ...METHOD, Name: 'y', Config: {} } })).status,
      ).to.equal(500);
      const updated = await call('PUT', `/v1/acl/auth-method/${METHOD.Name}`, {
        body: { ...METHOD, Description: 'changed' },
      });
      expect(updated.json<{ Description: string }>().Description).to.equal('changed');
      const list = (await call('GET', '/v1/acl/auth-methods')).json<{ Name: string }[]>();
      expect(list.map((m) => m.Name)).to.deep.equal([METHOD.Name]);

      const rule = await call('PUT', '/v1/acl/binding-rule', {
        body: {
          AuthMethod: METHOD.Name,
          BindType: 'service',
          BindName: '${entity_tags.consul.hashicorp.com.service-name}',
          Description: 'd',
        },
      });
      expect(rule.status).to.equal(200);
      const id = rule.json<{ ID: string }>().ID;
      expect(
        (
          await call('PUT', '/v1/acl/binding-rule', {
            body: { AuthMethod: 'nope', BindType: 'service', BindName: 'x' },
          })
        ).status,
      ).to.equal(500);
      expect(
        (
          await call('PUT', '/v1/acl/binding-rule', {
            body: { AuthMethod: METHOD.Name, BindType: 'bogus', BindName: 'x' },
          })
        ).status,
      ).to.equal(500);
      const rules = (await call('GET', `/v1/acl/binding-rules?authmethod=${METHOD.Name}`)).json<
        { ID: string }[]
      >();
      expect(rules.map((r) => r.ID)).to.deep.equal([id]);
      const changed = await call('PUT', `/v1/acl/binding-rule/${id}`, {
        body: { AuthMethod: METHOD.Name, BindType: 'role', BindName: 'r', Selector: 'a == "b"' },
      });
      expect(changed.json<{ BindType: string; Selector: string }>()).to.include({
        BindType: 'role',
        Selector: 'a == "b"',
      });

      // Deleting the method deletes its rules, as in Consul.
      expect((await call('DELETE', `/v1/acl/auth-method/${METHOD.Name}`)).status).to.equal(200);
      expect((await call('GET', `/v1/acl/binding-rule/${id}`)).status).to.equal(404);
    } finally {
      await server.close();
    }
  });

  it('needs acl:write to create and acl:read to list', async () => {
    const server = await startConsulServer();
    const call = client(server);
    try {
      expect((await call('PUT', '/v1/acl/auth-method', { body: METHOD, token: null })).status).to.equal(403);
      expect((await call('GET', '/v1/acl/auth-methods', { token: null })).status).to.equal(403);
    } finally {
      await server.close();
    }
  });
});
