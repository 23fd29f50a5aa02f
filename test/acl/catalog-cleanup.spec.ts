// CatalogWrites and the catalog-service informer's filter against envtest Consul (real HTTP).
import { expect } from 'chai';

import { toTaskCatalogService } from '../../controllers/adapters/catalog-service-informer.js';
import { CatalogWrites } from '../../controllers/adapters/catalog-writes.js';
import { type ConsulServer, startConsulServer } from '../../envtest/consul/server.js';
import { CatalogApi } from '../../src/consul/catalog-api.js';
import { envtestConsulTransport } from '../helpers/envtest-acl-api.js';

const NODE = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';

describe('catalog cleanup: guarded deregistration on the synthetic node', () => {
  let consul: ConsulServer;
  let catalog: CatalogApi;

  before(async () => {
    consul = await startConsulServer();
    const transport = envtestConsulTransport(consul);
    catalog = new CatalogApi(transport);
  });
  after(() => consul.close());

  const register = async (id: string, meta: Record<string, string>) => {
    const response = await fetch(`${consul.url}/v1/catalog/register`, {
      method: 'PUT',
      headers: { 'X-Consul-Token': consul.managementToken },
      body: JSON.stringify({
        Node: NODE,
        Address: '10.0.0.1',
        Service: { ID: id, Service: 'web', Meta: meta },
      }),
    });
    expect(response.status).to.equal(200);
  };
  const entryOf = async (id: string) => {
    const { items } = await catalog.nodeServices(NODE);
    const service = items.find((item) => item.ID === id);
    return service && toTaskCatalogService(NODE, service);
  };
  const ids = async () => (await catalog.nodeServices(NODE)).items.map((item) => item.ID).sort();

  it('caches only services that name a task, and reads a missing node as no services', async () => {
    expect((await catalog.nodeServices('no-such-node')).items).to.deep.equal([]);
    await register('svc-a', { 'task-id': 'task-a' });
    await register('svc-b', {});
    await register('svc-c', { 'task-id': 'prod/task-c' });
    expect((await entryOf('svc-a'))?.taskId).to.equal('task-a');
    expect(await entryOf('svc-b')).to.equal(undefined);
    expect(await entryOf('svc-c')).to.equal(undefined);
  });

  it("deregisters a task's service, refuses one re-registered for another task, and counts a vanished one", async () => {
    const writes = new CatalogWrites(catalog);
    await register('svc-d', { 'task-id': 'task-d' });
    await register('svc-e', { 'task-id': 'task-e' });
    const d = (await entryOf('svc-d'))!;
    const e = (await entryOf('svc-e'))!;
    // svc-e is re-registered under the same ID by another task after it was cached.
    await register('svc-e', { 'task-id': 'task-f' });
    expect(await writes.deregister(d, 'task-d')).to.equal('deleted');
    expect(await writes.deregister(e, 'task-e')).to.equal('refused');
    expect(await writes.deregister(d, 'task-d')).to.equal('already_gone');
    expect(await ids())
      .to.include('svc-e')
      .and.not.include('svc-d');
  });
});
