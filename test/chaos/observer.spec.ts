import { expect } from 'chai';

import { EcsState } from '../../envtest/ecs/state.js';
import { ConsulState } from '../../envtest/consul/state.js';
import { aclContext, emptySecretStore } from './state-fixtures.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { createToken } from '../../envtest/consul/acl/tokens.js';
import { DEFAULT_SCOPE } from '../../envtest/consul/scope.js';
import { serviceDescription } from '../../controllers/domain/token-description.js';
import { randomUUID } from 'node:crypto';
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
    const secrets = emptySecretStore();
    const observer = new Observer({
      ecs,
      consul: () => consul,
      secrets,
      clusters: [{ name: 'chaos', secrets: [] }],
    });
    const task = run('api');
    observer.sample();
    expect(observer.goneForMs('chaos', 'api')).to.be.below(1_000);
    expect(observer.goneForMs('chaos', 'never')).to.equal(Number.POSITIVE_INFINITY);
    ecs.stopTask(task, 'test', 'UserInitiated');
    observer.sample();
    expect(observer.active('chaos').has('api')).to.equal(false);
    expect(observer.activeForMs('chaos', 'api')).to.equal(0);

    const secret = secrets.create({ name: 'chaos-api', tags: [] });
    secrets.putValue(secret, 'v1', {
      secretString: '{"accessor_id":"a","token":"0123456789abcdef0123456789abcdef"}',
    });
    observer.sweepSecrets();
    expect(observer.secretIds.get('0123456789abcdef0123456789abcdef')).to.contain('chaos-api');
  });

  it('keeps each served cluster apart: active services, token owners, and what secrets named', () => {
    const { ecs, run, mesh } = ecsWorld();
    const b = ecs.createCluster('chaos-b', []);
    const consul = new ConsulState();
    const acl = aclContext(consul);
    const secrets = emptySecretStore();
    const observer = new Observer({
      ecs,
      consul: () => consul,
      secrets,
      clusters: [
        { name: 'chaos', secrets: ['chaos-web'] },
        { name: 'chaos-b', secrets: ['chaos-b-web'] },
      ],
    });
    run('web', [MESH_TAG], b);
    mesh('api');
    const token = createToken(
      acl,
      {
        AccessorID: randomUUID(),
        SecretID: randomUUID(),
        Description: serviceDescription('Token', { name: 'web' }, 'chaos-b'),
        ServiceIdentities: [{ ServiceName: 'web' }],
      },
      DEFAULT_SCOPE,
    );
    const secret = secrets.create({ name: 'chaos-web', tags: [] });
    secrets.putValue(secret, 'v1', { secretString: JSON.stringify({ accessor_id: token.accessorId }) });
    observer.sample();
    expect([...observer.active('chaos-b')]).to.deep.equal(['web']);
    expect([...observer.active('chaos')]).to.deep.equal([]);
    expect(observer.goneForMs('chaos', 'web')).to.equal(Number.POSITIVE_INFINITY);
    expect(observer.owners.get(token.accessorId)).to.deep.include({ cluster: 'chaos-b', service: 'web' });
    expect([...(observer.secretAccessors.get('chaos')?.get('chaos-web') ?? [])]).to.deep.equal([
      token.accessorId,
    ]);
    // `chaos-b`'s token rewritten with `chaos`'s description: an owner change.
    consul.tokens.set(token.accessorId, {
      ...token,
      description: serviceDescription('Token', { name: 'web' }, 'chaos'),
    });
    observer.sample();
    expect(observer.ownerChanges).to.have.length(1);
    expect(observer.ownerChanges[0]).to.deep.include({
      accessorId: token.accessorId,
      from: { cluster: 'chaos-b', service: 'web', secretId: token.secretId },
    });
    expect(observer.ownerChanges[0].to).to.deep.include({ cluster: 'chaos', service: 'web' });
  });
});
