import { expect } from 'chai';

import { startConsulServer } from '../../../envtest/consul/server.js';
import { client, ensureTenancy, type TokenJson } from './helpers.js';

interface NamespaceJson {
  Name: string;
  Description: string;
  Partition: string;
  ACLs?: { PolicyDefaults?: { ID: string; Name: string }[] };
  CreateIndex: number;
  ModifyIndex: number;
}

describe('Consul envtest: namespaces (Enterprise)', () => {
  it('creates, lists, reads, updates and deletes namespaces', async () => {
    const server = await startConsulServer({ enterprise: true });
    const call = client(server);
    try {
      const initial = (await call('GET', '/v1/namespaces')).json<NamespaceJson[]>();
      expect(initial.map((n) => n.Name)).to.deep.equal(['default']);

      const policy = (
        await call('PUT', '/v1/acl/policy', { body: { Name: 'cross-namespace-read', Rules: '' } })
      ).json<{ ID: string }>();
      const created = await call('PUT', '/v1/namespace', {
        body: {
          Name: 'team-a',
          Description: 'A',
          ACLs: { PolicyDefaults: [{ Name: 'cross-namespace-read' }] },
        },
      });
      expect(created.status).to.equal(200);
      const ns = created.json<NamespaceJson>();
      expect(ns).to.include({ Name: 'team-a', Description: 'A', Partition: 'default' });
      expect(ns.ACLs!.PolicyDefaults).to.deep.equal([{ ID: policy.ID, Name: 'cross-namespace-read' }]);

      const duplicate = await call('PUT', '/v1/namespace', { body: { Name: 'team-a' } });
      expect(duplicate.status).to.equal(500);

      const list = (await call('GET', '/v1/namespaces')).json<NamespaceJson[]>();
      expect(list.map((n) => n.Name)).to.deep.equal(['default', 'team-a']);

      const updated = await call('PUT', '/v1/namespace/team-a', {
        body: { Name: 'team-a', Description: 'B' },
      });
      expect(updated.json<NamespaceJson>().Description).to.equal('B');
      expect(updated.json<NamespaceJson>().ModifyIndex).to.be.greaterThan(ns.ModifyIndex);

      expect((await call('GET', '/v1/namespace/team-a')).json<NamespaceJson>().Description).to.equal('B');
      expect((await call('DELETE', '/v1/namespace/team-a')).json()).to.equal(true);
      expect((await call('GET', '/v1/namespace/team-a')).status).to.equal(404);
      expect((await call('DELETE', '/v1/namespace/default')).status).to.equal(500);
    } finally {
      await server.close();
    }
  });

  it('requires operator:write to create a namespace', async () => {
    const server = await startConsulServer({ enterprise: true });
    const call = client(server);
    try {
      await call('PUT', '/v1/acl/policy', { body: { Name: 'acl-only', Rules: 'acl = "write"' } });
      const token = (
        await call('PUT', '/v1/acl/token', { body: { Policies: [{ Name: 'acl-only' }] } })
      ).json<TokenJson>();
      const denied = await call('PUT', '/v1/namespace', { token: token.SecretID, body: { Name: 'x' } });
      expect(denied.status).to.equal(403);
      expect(denied.text).to.contain("lacks permission 'operator:write'");
    } finally {
      await server.close();
    }
  });

  it('does not exist on a CE server', async () => {
    const server = await startConsulServer();
    try {
      const response = await client(server)('GET', '/v1/namespaces');
      expect(response.status).to.equal(404);
    } finally {
      await server.close();
    }
  });
});

describe('Consul envtest: partition and namespace rule blocks (Enterprise)', () => {
  it('applies namespace blocks only in matching namespaces', async () => {
    const server = await startConsulServer({ enterprise: true });
    const call = client(server);
    try {
      await call('PUT', '/v1/acl/policy', {
        body: {
          Name: 'team-a-kv',
          Rules: `partition "default" {
  namespace "team-a" {
    key_prefix "" { policy = "write" }
  }
  namespace_prefix "shared-" {
    key_prefix "cfg/" { policy = "read" }
  }
}`,
        },
      });
      for (const ns of ['team-a', 'team-b', 'shared-1']) await ensureTenancy(call, 'default', ns);
      await ensureTenancy(call, 'other', 'team-a');
      const token = (
        await call('PUT', '/v1/acl/token', { body: { Policies: [{ Name: 'team-a-kv' }] } })
      ).json<TokenJson>();
      const put = (ns: string) =>
        call('PUT', `/v1/kv/cfg/x?ns=${ns}`, { token: token.SecretID, rawBody: 'v' });
      expect((await put('team-a')).status).to.equal(200);
      expect((await put('team-b')).status).to.equal(403);
      expect((await put('shared-1')).status).to.equal(403);
      await call('PUT', '/v1/kv/cfg/x?ns=shared-1', { rawBody: 'v' });
      expect((await call('GET', '/v1/kv/cfg/x?ns=shared-1', { token: token.SecretID })).status).to.equal(200);
      expect(
        (await call('GET', '/v1/kv/cfg/x?partition=other&ns=team-a', { token: token.SecretID })).status,
      ).to.equal(403);
    } finally {
      await server.close();
    }
  });
});
