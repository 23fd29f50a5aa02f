import { expect } from 'chai';

import { EcsState } from '../../src/envtest/ecs/state.js';
import { ConsulState } from '../../src/envtest/consul/state.js';
import { SecretStore } from '../../src/envtest/secretsmanager/store.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { MESH_TAG } from './chaos-world.js';
import { activeServices, Observer } from './observer.js';

function ecsWorld() {
  const clock = new ManualClock();
  const ecs = new EcsState({
    clock,
    random: Math.random,
    region: 'us-east-1',
    accountId: '123456789012',
    timings: { provisioningMs: 0, pendingMs: 0, stoppingMs: 0 },
  });
  const chaos = ecs.createCluster('chaos', []);
  const other = ecs.createCluster('other', []);
  const mesh = (family: string) => ecs.registerTaskDefinition(family, {}, [{ name: 'app' }], [MESH_TAG]);
  const run = (family: string, tags = [MESH_TAG], cluster = chaos) =>
    ecs.launchTasks({
      cluster,
      taskDefinition: ecs.findTaskDefinition(family) ?? mesh(family),
      count: 1,
      launchType: 'FARGATE',
      tags,
    })[0];
  return { clock, ecs, chaos, other, mesh, run };
}

describe('chaos: observer', () => {
  it('counts ACTIVE services (even at 0 tasks) and live mesh tasks of our cluster only', () => {
    const { ecs, chaos, mesh, run, other } = ecsWorld();
    const service = ecs.createService({
      cluster: chaos,
      name: 'web',
      taskDefinition: mesh('web'),
      desiredCount: 0,
      launchType: 'FARGATE',
      propagateTags: 'TASK_DEFINITION',
      enableECSManagedTags: false,
      tags: [],
    });
    run('api');
    run('batch', []);
    run('db', [MESH_TAG], other);
    const named = run('family-x', [MESH_TAG, { key: 'consul.hashicorp.com/service-name', value: 'named' }]);
    expect([...activeServices(ecs, 'chaos')].sort()).to.deep.equal(['api', 'named', 'web']);

    ecs.deleteService(service);
    ecs.stopTask(named, 'test', 'UserInitiated');
    expect([...activeServices(ecs, 'chaos')].sort()).to.deep.equal(['api']);
  });

  it('remembers when each service was last active, and every SecretID Consul held', () => {
    const { ecs, run } = ecsWorld();
    const consul = new ConsulState();
    const secrets = new SecretStore({
      clock: new ManualClock(),
      random: Math.random,
      region: 'us-east-1',
      accountId: '123456789012',
    });
    const observer = new Observer({ ecs, consul: () => consul, secrets, cluster: 'chaos' });
    const task = run('api');
    observer.sample();
    expect(observer.goneForMs('api')).to.be.below(1_000);
    expect(observer.goneForMs('never')).to.equal(Number.POSITIVE_INFINITY);
    ecs.stopTask(task, 'test', 'UserInitiated');
    observer.sample();
    expect(observer.active.has('api')).to.equal(false);

    const secret = secrets.create({ name: 'chaos-api', tags: [] });
    secrets.putValue(secret, 'v1', {
      secretString: '{"accessor_id":"a","token":"0123456789abcdef0123456789abcdef"}',
    });
    observer.sweepSecrets();
    expect(observer.secretIds.get('0123456789abcdef0123456789abcdef')).to.contain('chaos-api');
  });
});
