import { expect } from 'chai';

import { startConsulServer } from '../../../envtest/consul/server.js';
import { client } from './helpers.js';

interface PartitionJson {
  Name: string;
  Description: string;
  CreateIndex: number;
}

describe('Consul envtest: admin partitions (Enterprise)', () => {
  it('lists default first, creates, reads and refuses a duplicate or a bad name', async () => {
    const server = await startConsulServer({ enterprise: true });
    const call = client(server);
    try {
      expect((await call('GET', '/v1/partitions')).json<PartitionJson[]>().map((p) => p.Name)).to.deep.equal([
        'default',
      ]);
      expect((await call('GET', '/v1/partition/team-a')).status).to.equal(404);
      const created = await call('PUT', '/v1/partition', { body: { Name: 'team-a', Description: 'A' } });
      expect(created.status).to.equal(200);
      expect(created.json<PartitionJson>()).to.include({ Name: 'team-a', Description: 'A' });
      expect((await call('GET', '/v1/partition/team-a')).json<PartitionJson>().Name).to.equal('team-a');
      expect((await call('PUT', '/v1/partition', { body: { Name: 'team-a' } })).status).to.equal(500);
      expect((await call('PUT', '/v1/partition', { body: { Name: '-bad-' } })).status).to.equal(500);
      expect((await call('GET', '/v1/partitions')).json<PartitionJson[]>().map((p) => p.Name)).to.deep.equal([
        'default',
        'team-a',
      ]);
    } finally {
      await server.close();
    }
  });

  it('needs operator:write to create, and does not exist on a CE server (404, as Consul CE)', async () => {
    const enterprise = await startConsulServer({ enterprise: true });
    const ce = await startConsulServer();
    try {
      const call = client(enterprise);
      expect((await call('PUT', '/v1/partition', { body: { Name: 'x' }, token: null })).status).to.equal(403);
      expect((await client(ce)('GET', '/v1/partitions')).status).to.equal(404);
    } finally {
      await Promise.all([enterprise.close(), ce.close()]);
    }
  });
});
