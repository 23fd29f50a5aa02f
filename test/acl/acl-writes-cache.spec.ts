// AclWrites applies Consul's answer to a token write to the token cache at once, so a reconcile
// right after its own write sees it (no secret re-read, no wait for the next watch return), and
// an answer never replaces a newer cached version.
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { asyncScheduler } from 'rxjs';

import { type AclDeps } from '../../controllers/adapters/acl-deps.js';
import { createTokenInformer } from '../../controllers/adapters/acl-informers.js';
import { AclMetrics } from '../../controllers/adapters/acl-metrics.js';
import { AclWrites } from '../../controllers/adapters/acl-writes.js';
import { serviceDescription } from '../../controllers/domain/token-description.js';
import { TokenOwnership } from '../../controllers/domain/token-ownership.js';
import { type ConsulServer, startConsulServer } from '../../envtest/consul/server.js';
import { type AclApi } from '../../src/consul/acl-api.js';
import { envtestAclApi } from '../helpers/envtest-acl-api.js';
import { SILENT_LOGGER } from '../../src/log/logger.js';

const CLUSTER = 'prod';

describe('AclWrites keeps the token cache up with its own writes', () => {
  let consul: ConsulServer;
  let acl: AclApi;

  before(async () => {
    consul = await startConsulServer();
    acl = envtestAclApi(consul);
  });
  after(() => consul.close());

  it('caches a created and an updated token at their ModifyIndex; never an older one over a newer', async () => {
    // The informer is never run: only AclWrites puts anything into its store.
    const tokens = createTokenInformer({
      acl,
      cluster: [CLUSTER],
      scope: {},
      resyncPeriodMs: 0,
      scheduler: asyncScheduler,
    });
    const deps = {
      acl,
      tokens,
      ownership: new TokenOwnership({ cluster: [CLUSTER], clientPolicyName: 'p-consul-client-policy' }),
      metrics: new AclMetrics(new Registry(), CLUSTER),
      logger: SILENT_LOGGER,
      config: { dryRun: false, cluster: CLUSTER, partitionsEnabled: false },
    } as unknown as AclDeps;
    const writes = new AclWrites(deps);
    const write = {
      key: 'web',
      scope: {},
      context: { service: 'web' },
      signal: new AbortController().signal,
    };
    const description = serviceDescription('Token', { name: 'web' }, CLUSTER);

    const created = await writes.create(write, {
      Description: description,
      ServiceIdentities: [{ ServiceName: 'web' }],
    });
    expect(created.kind).to.equal('done');
    const token = created.kind === 'done' ? created.value : undefined;
    expect(tokens.store.get(token!.AccessorID)).to.include({
      serviceKey: 'web',
      modifyIndex: token!.ModifyIndex,
    });

    const updated = await writes.update(
      write,
      {
        AccessorID: token!.AccessorID,
        Description: description,
        ServiceIdentities: [{ ServiceName: 'web' }],
      },
      'reset',
    );
    const index = updated.kind === 'done' ? (updated.value.ModifyIndex ?? -1) : -1;
    expect(index).to.be.greaterThan(token!.ModifyIndex ?? 0);
    expect(tokens.store.get(token!.AccessorID)?.modifyIndex).to.equal(index);

    // A newer version from the watch is in the cache: the next write's (older) answer leaves it.
    const newer = index + 1_000;
    tokens.upsert({ ...tokens.store.get(token!.AccessorID)!, modifyIndex: newer });
    const again = await writes.update(
      write,
      {
        AccessorID: token!.AccessorID,
        Description: description,
        ServiceIdentities: [{ ServiceName: 'web' }],
      },
      'reset',
    );
    expect(again.kind).to.equal('done');
    expect(tokens.store.get(token!.AccessorID)?.modifyIndex).to.equal(newer);
  });
});
