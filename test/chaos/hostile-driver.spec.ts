import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';

import { GLOBAL_MANAGEMENT_POLICY_ID } from '../../envtest/consul/acl/model.js';
import { clientTokenDescription, serviceDescription } from '../../controllers/domain/token-description.js';
import { ChaosWorld } from './chaos-world.js';
import { CLIENT_POLICY_RULES, clientPolicyName } from './client-invariants.js';
import { HOSTILE_ROLE, HostileDriver } from './hostile-driver.js';
import { secretIds } from './invariants.js';
import { activeServices } from './observer.js';

const CLUSTER = 'chaos';

/** A one-cluster chaos world with web and api healthy, and the client token as the controller makes it. */
async function converged() {
  const world = await ChaosWorld.start(['web', 'api'], 1);
  const token = async (body: Record<string, unknown>) => {
    const { status, text } = await world.consulCall('PUT', '/v1/acl/token', body);
    expect(status, text).to.equal(200);
    return JSON.parse(text) as { AccessorID: string; SecretID: string };
  };
  const point = (secret: string, t: { AccessorID: string; SecretID: string }) =>
    world.sm.send(
      new PutSecretValueCommand({
        SecretId: secret,
        SecretString: JSON.stringify({ accessor_id: t.AccessorID, token: t.SecretID }),
      }),
    );
  await world.consulCall('PUT', '/v1/acl/policy', {
    Name: clientPolicyName(CLUSTER),
    Rules: CLIENT_POLICY_RULES,
  });
  const client = await token({
    Description: clientTokenDescription(CLUSTER),
    Policies: [{ Name: clientPolicyName(CLUSTER) }],
  });
  await point(world.served(CLUSTER).clientSecretArn, client);
  const services: Record<string, { AccessorID: string; SecretID: string }> = {};
  for (const name of ['web', 'api']) {
    services[name] = await token({
      Description: serviceDescription('Token', { name }, CLUSTER),
      ServiceIdentities: [{ ServiceName: name }],
    });
    await point(world.secretName(CLUSTER, name), services[name]);
  }
  let active = new Set(['web', 'api']);
  const remembered: string[] = [];
  const planted = new Set<string>();
  const driver = new HostileDriver(
    world,
    { active: () => active, remember: (id) => remembered.push(id) },
    planted,
  );
  const setActive = (names: string[]) => (active = new Set(names));
  const secret = (name: string) => secretIds(world.smServer.state, name);
  return { world, driver, client, services, planted, remembered, setActive, secret };
}

describe('chaos: hostile driver', function () {
  this.timeout(20_000);
  let t: Awaited<ReturnType<typeof converged>>;
  beforeEach(async () => {
    t = await converged();
  });
  afterEach(() => t.world.close());

  it("plants a healthy service's value, its AccessorID, or the client's value in another active service's secret", async () => {
    const { world, driver, services, client, planted, remembered } = t;
    // Healthy and active, sorted: [api, web]; pick 0 is api, the only other one is web.
    expect(
      await driver.apply({ kind: 'plant-secret', plant: 'copy', pick: 0, target: 7, cluster: CLUSTER }),
    ).to.equal(true);
    expect(t.secret('chaos-web')).to.deep.equal({
      accessorId: services.api.AccessorID,
      token: services.api.SecretID,
    });
    expect([...planted]).to.deep.equal([services.api.AccessorID]);
    // web's secret no longer names its token, so only api is a healthy source now.
    await driver.apply({ kind: 'plant-secret', plant: 'accessor', pick: 1, target: 0, cluster: CLUSTER });
    const planted2 = t.secret('chaos-web');
    expect(planted2?.accessorId).to.equal(services.api.AccessorID);
    expect(planted2?.token).to.equal(remembered[0]);
    expect(planted2?.token).to.not.equal(services.api.SecretID);
    await driver.apply({ kind: 'plant-secret', plant: 'client-copy', pick: 0, target: 0, cluster: CLUSTER });
    expect(t.secret('chaos-api')).to.deep.equal({ accessorId: client.AccessorID, token: client.SecretID });
    expect(planted.has(client.AccessorID)).to.equal(true);
    // The writes are the run's (its AWS key), never the controller's.
    const puts = world.smServer.calls.all().filter((c) => c.operation === 'PutSecretValue');
    expect(new Set(puts.map((c) => c.principal))).to.deep.equal(new Set(['AKIDTEST']));
  });

  it('skips a plant with no healthy source or no other active service', async () => {
    const { driver } = t;
    t.setActive(['web']);
    expect(
      await driver.apply({ kind: 'plant-secret', plant: 'copy', pick: 0, target: 0, cluster: CLUSTER }),
    ).to.equal(false);
    t.setActive([]);
    expect(
      await driver.apply({
        kind: 'plant-secret',
        plant: 'client-copy',
        pick: 0,
        target: 0,
        cluster: CLUSTER,
      }),
    ).to.equal(false);
  });

  it('grants the client token more, keeping its description, and rewrites the client policy, as the driver', async () => {
    const { world, driver, client } = t;
    for (const grant of ['global-management', 'role', 'service-identity'] as const) {
      expect(await driver.apply({ kind: 'grant-client-token', grant, cluster: CLUSTER })).to.equal(true);
    }
    const token = world.consul.state.tokens.get(client.AccessorID)!;
    expect(token.description).to.equal(clientTokenDescription(CLUSTER));
    expect(token.secretId).to.equal(client.SecretID);
    const policyNames = token.policyIds.map((id) => world.consul.state.policies.get(id)?.name);
    expect(policyNames).to.deep.equal([clientPolicyName(CLUSTER), 'global-management']);
    expect(token.policyIds).to.include(GLOBAL_MANAGEMENT_POLICY_ID);
    expect(token.roleIds.map((id) => world.consul.state.roles.get(id)?.name)).to.deep.equal([HOSTILE_ROLE]);
    expect(token.serviceIdentities.map((i) => i.ServiceName)).to.deep.equal(['web']);
    expect(
      await driver.apply({ kind: 'rewrite-client-policy', rules: 'acl-write', cluster: CLUSTER }),
    ).to.equal(true);
    const policy = [...world.consul.state.policies.values()].find(
      (p) => p.name === clientPolicyName(CLUSTER),
    )!;
    expect(policy.rules).to.equal('acl = "write"\n');
    const writes = world
      .consulCalls()
      .filter((c) => ['acl.token.update', 'acl.policy.update', 'acl.role.create'].includes(c.operation));
    expect(writes).to.have.length(5);
    expect(new Set(writes.map((c) => c.principal))).to.deep.equal(new Set([world.driverAccessorId]));
  });

  it('names a task or an ECS service so that its secret is the client secret', async () => {
    const { world, driver } = t;
    expect(world.collidingService(CLUSTER)).to.equal('consul-client-token');
    expect(world.secretName(CLUSTER, world.collidingService(CLUSTER))).to.equal(
      world.clientSecretName(CLUSTER),
    );
    const collide = (via: 'task-family' | 'task-tag' | 'ecs-service') =>
      driver.apply({ kind: 'collide-client-secret', via, family: 'api', count: 0, cluster: CLUSTER });
    await collide('task-tag');
    const tagged = [...world.ecsServer.state.tasks.values()].find((task) => task.family === 'api');
    expect(tagged?.tags).to.deep.include({
      key: 'consul.hashicorp.com/service-name',
      value: 'consul-client-token',
    });
    await collide('task-family');
    expect([...world.ecsServer.state.tasks.values()].map((task) => task.family)).to.include(
      'consul-client-token',
    );
    await collide('ecs-service');
    expect(activeServices(world.ecsServer.state, CLUSTER).has('consul-client-token')).to.equal(true);
    const service = () => world.ecsServer.state.services.find((s) => s.name === 'consul-client-token');
    expect(service()?.status).to.equal('ACTIVE');
    // The same op again takes the service away.
    await collide('ecs-service');
    expect(service()?.status).to.not.equal('ACTIVE');
  });
});
