import { expect } from 'chai';
import { randomUUID } from 'node:crypto';

import { type CallRecord } from '../../envtest/call-log.js';
import { type AclToken } from '../../envtest/consul/acl/model.js';
import { createToken } from '../../envtest/consul/acl/tokens.js';
import { DEFAULT_SCOPE } from '../../envtest/consul/scope.js';
import { ConsulState } from '../../envtest/consul/state.js';
import { EcsState } from '../../envtest/ecs/state.js';
import { serviceDescription } from '../../controllers/domain/token-description.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { MESH_TAG } from './chaos-world.js';
import { CrossClusterWatch, type CrossClusterObserver, type CrossClusterWorld } from './cross-cluster.js';
import { CLIENT, tokenOwner, type TokenOwner, type TokenWrite } from './invariants.js';
import { judgeRunningDelete } from './running-delete.js';
import { runningForMs } from './running-tasks.js';
import { aclContext, emptySecretStore } from './state-fixtures.js';

const CLUSTERS = ['chaos', 'chaos-b'];
const DRIVER = '6a1b2c3d-0000-4000-8000-00000000d71e';
const REPLICAS = '6a1b2c3d-0000-4000-8000-0000000c0a7e';
const WINDOW = 12_000;

/**
 * A fake world: envtest ECS, Consul and Secrets Manager state on one manual clock, web's token in
 * each served cluster named by its secret, and the watch listening to the Consul call log.
 */
function fixture() {
  const clock = new ManualClock();
  const ecs = new EcsState({
    clock,
    random: Math.random,
    region: 'us-east-1',
    accountId: '123456789012',
    timings: { provisioningMs: 0, pendingMs: 0, stoppingMs: 0 },
  });
  const ecsClusters = Object.fromEntries(
    [...CLUSTERS, 'other'].map((name) => [name, ecs.createCluster(name, [])]),
  );
  const mesh = (family: string) =>
    ecs.findTaskDefinition(family) ?? ecs.registerTaskDefinition(family, {}, [{ name: 'app' }], [MESH_TAG]);
  const run = (family: string, cluster = 'chaos', tags = [MESH_TAG]) =>
    ecs.launchTasks({
      cluster: ecsClusters[cluster],
      taskDefinition: mesh(family),
      count: 1,
      launchType: 'FARGATE',
      tags,
    })[0];
  const consul = new ConsulState();
  const acl = aclContext(consul);
  const secrets = emptySecretStore(clock);
  const clusters = CLUSTERS.map((name) => ({
    name,
    prefix: name,
    clientSecretArn: `${name}-consul-client-token`,
  }));
  const listeners: Array<(call: CallRecord) => void> = [];
  const world: CrossClusterWorld = {
    clusters,
    services: ['web', 'api'],
    consul: { state: consul },
    smServer: { state: secrets },
    ecsServer: { state: ecs },
    driverAccessorId: DRIVER,
    served: (name) => clusters.find((c) => c.name === name)!,
    onConsulCall: (listener) => listeners.push(listener),
    onSecretsCall: () => undefined,
  };
  const owners = new Map<string, TokenOwner>();
  const tokenOf = (service: string, cluster = 'chaos'): AclToken => {
    const token = createToken(
      acl,
      {
        AccessorID: randomUUID(),
        SecretID: randomUUID(),
        Description: serviceDescription('Token', { name: service }, cluster),
        ServiceIdentities: [{ ServiceName: service }],
      },
      DEFAULT_SCOPE,
    );
    owners.set(token.accessorId, tokenOwner(token, CLUSTERS)!);
    return token;
  };
  const pointSecret = (name: string, value: { accessor_id: string; token: string }) => {
    const secret = secrets.find(name) ?? secrets.create({ name, tags: [] });
    secrets.putValue(secret, randomUUID(), { secretString: JSON.stringify(value) });
  };
  const web = tokenOf('web');
  pointSecret('chaos-web', { accessor_id: web.accessorId, token: web.secretId });
  const observer: CrossClusterObserver = {
    owners,
    ownerChanges: [],
    secretAccessors: new Map(),
    // The existing 15 s check stays quiet here: this spec is about the running-task check alone.
    activeForMs: () => 0,
    knownForMs: () => 0,
  };
  const watch = new CrossClusterWatch(world, observer, new Set(), {
    controllerKey: 'AKIDCONTROLLER',
    tokenWindowMs: 15_000,
    secretWindowMs: 5_000,
    runningWindowMs: WINDOW,
  });
  /** The token deleted in the state, and the delete recorded, as envtest Consul does. */
  const deleteToken = (token: AclToken, principal = REPLICAS, status = 200) => {
    if (status === 200) consul.tokens.delete(token.accessorId);
    for (const listener of listeners) {
      listener({
        operation: 'acl.token.delete',
        resource: token.accessorId,
        status,
        principal,
        at: clock.now(),
      });
    }
  };
  return { clock, ecs, run, web, tokenOf, pointSecret, watch, deleteToken };
}

const kinds = (violations: Array<{ kind: string }>) => violations.map((v) => v.kind);

describe('chaos: deleted-while-running', () => {
  it("fires when the controller deletes the token web's secret names while web has run for the window", async () => {
    const world = fixture();
    world.run('web');
    await world.clock.advance(WINDOW + 500);
    world.deleteToken(world.web);
    const violations = world.watch.violations();
    expect(kinds(violations)).to.deep.equal(['deleted-while-running']);
    expect(violations[0].message)
      .to.contain(`deleted token ${world.web.accessorId} of chaos (web)`)
      .and.contain('for 12.5 s')
      .and.not.contain(world.web.secretId);
    expect(world.watch.counts.namedWhileRunning).to.equal(1);
    expect(world.watch.summary()).to.contain(
      '1 deletes of the token a secret names while its service had a running task',
    );
  });

  it('counts the service by its service-name tag, and the oldest of its running tasks', async () => {
    const world = fixture();
    world.run('family-x', 'chaos', [MESH_TAG, { key: 'consul.hashicorp.com/service-name', value: 'web' }]);
    await world.clock.advance(WINDOW);
    world.run('web');
    world.deleteToken(world.web);
    expect(kinds(world.watch.violations())).to.deep.equal(['deleted-while-running']);
  });

  it('stays quiet for a task younger than the window (a correct leader may not know it yet)', async () => {
    const world = fixture();
    world.run('web');
    await world.clock.advance(WINDOW - 500);
    world.deleteToken(world.web);
    expect(world.watch.violations()).to.deep.equal([]);
    // Counted all the same, with its age, to show how near the window the run came.
    expect(world.watch.counts.namedWhileRunning).to.equal(1);
    expect(world.watch.oldestRunningMs).to.equal(WINDOW - 500);
  });

  it('stays quiet when the service runs no mesh task in that cluster', async () => {
    const world = fixture();
    const stopped = world.run('web');
    world.run('web', 'chaos-b');
    world.run('web', 'other');
    world.run('web', 'chaos', []);
    world.ecs.stopTask(stopped, 'test', 'UserInitiated');
    world.run('api');
    await world.clock.advance(60_000);
    world.deleteToken(world.web);
    expect(world.watch.violations()).to.deep.equal([]);
    expect(world.watch.counts.namedWhileRunning).to.equal(0);
  });

  it("stays quiet for the driver's delete, a failed one, a duplicate and a SecretID-mismatch repair", async () => {
    const world = fixture();
    world.run('web');
    await world.clock.advance(60_000);
    world.deleteToken(world.web, DRIVER);
    world.deleteToken(world.web, REPLICAS, 403);
    // A duplicate: web's secret names web's token, not this one.
    const duplicate = world.tokenOf('web');
    world.deleteToken(duplicate);
    // A SecretID mismatch: the secret names this token's AccessorID with another SecretID.
    const mismatched = world.tokenOf('web');
    world.pointSecret('chaos-web', { accessor_id: mismatched.accessorId, token: randomUUID() });
    world.deleteToken(mismatched);
    expect(world.watch.violations()).to.deep.equal([]);
    expect(world.watch.counts.namedWhileRunning).to.equal(0);
  });

  it("judges the owner the token had just before (the ledger), and chaos-b's token by chaos-b's tasks", async () => {
    const world = fixture();
    const bWeb = world.tokenOf('web', 'chaos-b');
    world.pointSecret('chaos-b-web', { accessor_id: bWeb.accessorId, token: bWeb.secretId });
    world.run('web');
    await world.clock.advance(60_000);
    world.deleteToken(bWeb);
    expect(world.watch.violations()).to.deep.equal([]);
    world.run('web', 'chaos-b');
    await world.clock.advance(WINDOW);
    const again = world.tokenOf('web', 'chaos-b');
    world.pointSecret('chaos-b-web', { accessor_id: again.accessorId, token: again.secretId });
    world.deleteToken(again);
    const violations = world.watch.violations();
    expect(kinds(violations)).to.deep.equal(['deleted-while-running']);
    expect(violations[0].message).to.contain('of chaos-b (web)');
  });

  it('is a pure verdict on a TokenWrite: only deletes of a named service token past the window', () => {
    const owner = { cluster: 'chaos', service: 'web', secretId: 's-1' };
    const base: TokenWrite = {
      operation: 'acl.token.delete',
      status: 200,
      accessorId: 'a-1',
      before: owner,
      after: undefined,
      byDriver: false,
      ownerSecret: { accessorId: 'a-1', token: 's-1' },
      wantedForMs: 0,
      runningForMs: WINDOW,
    };
    expect(judgeRunningDelete(base, WINDOW)?.kind).to.equal('deleted-while-running');
    for (const broken of [
      { operation: 'acl.token.update' },
      { status: 500 },
      { byDriver: true },
      { before: undefined },
      { before: { ...owner, service: CLIENT } },
      { ownerSecret: { accessorId: 'a-2', token: 's-1' } },
      { ownerSecret: { accessorId: 'a-1', token: 's-2' } },
      { ownerSecret: undefined },
      { runningForMs: WINDOW - 1 },
      { runningForMs: undefined },
    ] as Array<Partial<TokenWrite>>) {
      expect(judgeRunningDelete({ ...base, ...broken }, WINDOW), JSON.stringify(broken)).to.equal(undefined);
    }
  });

  it('measures a running task from its creation, per cluster and service', async () => {
    const world = fixture();
    expect(runningForMs(world.ecs, 'chaos', 'web', world.clock.now())).to.equal(0);
    world.run('web');
    await world.clock.advance(3_000);
    world.run('web');
    expect(runningForMs(world.ecs, 'chaos', 'web', world.clock.now())).to.equal(3_000);
    expect(runningForMs(world.ecs, 'chaos-b', 'web', world.clock.now())).to.equal(0);
    expect(runningForMs(world.ecs, 'chaos', 'api', world.clock.now())).to.equal(0);
  });
});
