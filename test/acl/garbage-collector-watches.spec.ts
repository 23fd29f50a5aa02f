import { expect } from 'chai';
import { EMPTY } from 'rxjs';
import { Registry } from 'prom-client';

import { type InformerEvent } from '../../src/cache/events.js';
import { Store } from '../../src/cache/store.js';
import { TOKENS_BY_SERVICE } from '../../controllers/adapters/acl-informers.js';
import { type OwnedToken } from '../../controllers/adapters/owned-acl.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { type AclControllerConfig } from '../../controllers/domain/acl-config.js';
import { type MeshTask, toMeshTask } from '../../controllers/domain/mesh-task.js';
import { type AclDeps } from '../../controllers/adapters/acl-deps.js';
import { AclMetrics } from '../../controllers/adapters/acl-metrics.js';
import { GarbageCollectorController } from '../../controllers/garbage-collector/garbage-collector-controller.js';
import { ServiceTokenController } from '../../controllers/service-token/service-token-controller.js';

const web = toMeshTask(
  {
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/web-1',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
    tags: [{ key: 'consul.hashicorp.com/mesh', value: 'true' }],
    version: 1,
  },
  false,
  'default',
);

/** `tokensOf`: the services with an owned token cached. */
function deps(tokensOf: readonly string[] = []): AclDeps {
  const config = { cluster: 'prod', partitionsEnabled: false, concurrency: 1 } as AclControllerConfig;
  const stream = { events$: EMPTY };
  const tokens = {
    events$: EMPTY,
    store: new Store<OwnedToken>((token) => token.accessorId, {
      [TOKENS_BY_SERVICE]: (token) => (token.serviceKey ? [token.serviceKey] : []),
    }),
  };
  for (const service of tokensOf)
    tokens.store.upsert({ accessorId: `id-${service}`, kind: 'service', serviceKey: service } as OwnedToken);
  return {
    config,
    metrics: new AclMetrics(new Registry(), config.cluster),
    clock: new ManualClock(0),
    scopedName: (base: string) => base,
    tasks: stream,
    services: stream,
    tokens,
    policies: stream,
  } as unknown as AclDeps;
}

const keysOf = (controller: {
  watches(): readonly { toKeys(e: InformerEvent<MeshTask>): Iterable<string> }[];
}) => {
  const [taskWatch] = controller.watches();
  return (type: InformerEvent<MeshTask>['type']) => [
    ...taskWatch.toKeys({ type, key: web.taskArn, obj: web, old: web } as InformerEvent<MeshTask>),
  ];
};

describe('task watches of the garbage collector and the service-token controller', () => {
  it("the garbage collector skips a running task's resync, but not its other events", () => {
    const keys = keysOf(new GarbageCollectorController(deps()));
    expect(keys('resync')).to.deep.equal([]);
    expect(keys('added')).to.deep.equal(['web']);
    expect(keys('updated')).to.deep.equal(['web']);
    expect(keys('deleted')).to.deep.equal(['web']);
  });

  it("the service-token controller revisits a service on its tasks' resync while it has no cached token", () => {
    const keys = keysOf(new ServiceTokenController(deps()));
    expect(keys('resync')).to.deep.equal(['web']);
    expect(keys('added')).to.deep.equal(['web']);
  });

  it("the service-token controller leaves a service with a cached token to that token's resync", () => {
    const keys = keysOf(new ServiceTokenController(deps(['web'])));
    expect(keys('resync')).to.deep.equal([]);
    expect(keys('added')).to.deep.equal(['web']);
    expect(keys('updated')).to.deep.equal(['web']);
    expect(keys('deleted')).to.deep.equal(['web']);
  });
});
