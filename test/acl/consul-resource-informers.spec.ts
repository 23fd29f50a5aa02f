// The consul-resources watches (controllers/adapters/consul-resource-informers.ts) on fake Consul
// APIs: only our objects are cached, each versioned so that drift is an event, and every event but
// `resync` maps to the plugin's one key. No timers: each blocking read waits until unsubscribed.
import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';

import { type InformerEvent } from '../../src/cache/events.js';
import { type Indexed } from '../../src/consul/acl-types.js';
import {
  consulResourceWatchCount,
  createConsulResourceInformers,
  type WatchedObject,
} from '../../controllers/adapters/consul-resource-informers.js';
import { ConsulResourcesController } from '../../controllers/consul-resources/consul-resources-controller.js';

const page = <T>(items: T[], index = '7'): Indexed<T> => ({ items, index });
/** A read: answers at once without an index, and blocks until aborted with one. */
const reads =
  <T>(answer: () => T) =>
  async (...args: unknown[]): Promise<T> => {
    const blocking = args[args.length - 1] as { index?: string; signal?: AbortSignal };
    if (blocking.index === undefined) return answer();
    return new Promise<T>((_, reject) =>
      blocking.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
    );
  };

function informers(partitionsEnabled = false, partition = '') {
  return createConsulResourceInformers({
    acl: {
      listPolicies: reads(() =>
        page([
          { ID: 'p1', Name: 'consul-ecs-api-gateway-policy', ModifyIndex: 3 },
          { ID: 'p2', Name: 'anonymous-token-policy', ModifyIndex: 4 },
          { ID: 'p3', Name: 'someone-elses', ModifyIndex: 5 },
        ]),
      ),
      watchToken: reads(() =>
        page([{ AccessorID: '00000000-0000-0000-0000-000000000002', Description: 'a', ModifyIndex: 9 }]),
      ),
    },
    auth: {
      listAuthMethods: reads(() =>
        page([
          { Name: 'iam-ecs-service-token', Type: 'aws-iam', ModifyIndex: 11 },
          { Name: 'other', Type: 'jwt', ModifyIndex: 12 },
        ]),
      ),
      watchBindingRules: reads(() =>
        page([
          {
            ID: 'r1',
            AuthMethod: 'iam-ecs-service-token',
            Description: '',
            Selector: '',
            BindType: 'service',
            BindName: 'x',
            ModifyIndex: 13,
          },
        ]),
      ),
      listRoles: reads(() =>
        page([
          { ID: 'o1', Name: 'consul-ecs-mesh-gateway-role', ModifyIndex: 14 },
          { ID: 'o2', Name: 'x' },
        ]),
      ),
    },
    catalog: {
      watchNode: reads(() => ({ value: { meta: { 'synthetic-node': 'true' }, services: [] }, index: '20' })),
    },
    partitionsEnabled,
    partition,
    node: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
    scheduler: asyncScheduler,
    scopedName: (base) => base,
  });
}

describe('consul-resources watches', () => {
  it('cache only our objects, versioned by ModifyIndex (the node by its synthetic mark)', async () => {
    const made = informers();
    expect(made.length).to.equal(consulResourceWatchCount(false));
    const runs = made.map((informer) => informer.run());
    try {
      await Promise.all(made.map((informer) => informer.whenSynced()));
      const cached = Object.fromEntries(
        made.map((i) => [i.name, i.store.list().map((o) => `${o.key}@${o.version}`)]),
      );
      expect(cached).to.deep.equal({
        'consul-auth-methods': ['iam-ecs-service-token@11'],
        'consul-binding-rules': ['r1@13'],
        'consul-resource-policies': ['p1@3', 'p2@4'],
        'consul-resource-roles': ['o1@14'],
        'consul-anonymous-token': ['00000000-0000-0000-0000-000000000002@9'],
        'consul-synthetic-node': ['arn:aws:ecs:us-east-1:123456789012:cluster/prod@synthetic'],
      });
      expect(made.every((informer) => !informer.gatesStart)).to.equal(true);
    } finally {
      for (const run of runs) run.unsubscribe();
    }
  });

  it('watch the anonymous policy apart when the served partition is not default', () => {
    expect(consulResourceWatchCount(true, 'team')).to.equal(7);
    expect(consulResourceWatchCount(true, 'default')).to.equal(6);
    expect(informers(true, 'team').map((i) => i.name)).to.include('consul-anonymous-policy');
  });

  it('map every event but resync to the cluster', () => {
    const controller = new ConsulResourcesController({} as never, 'prod', 'consul-resources', informers());
    const [watch] = controller.watches();
    const event = (type: InformerEvent<WatchedObject>['type']) =>
      ({ type, key: 'k', obj: { key: 'k', version: '1' } }) as InformerEvent<WatchedObject>;
    expect(controller.watches()).to.have.length(6);
    for (const type of ['added', 'updated', 'deleted'] as const)
      expect([...watch!.toKeys(event(type))]).to.deep.equal(['prod']);
    expect([...watch!.toKeys(event('resync'))]).to.deep.equal([]);
  });
});
