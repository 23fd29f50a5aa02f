import { expect } from 'chai';
import { randomUUID } from 'node:crypto';

import { type CallRecord } from '../../envtest/call-log.js';
import { createToken } from '../../envtest/consul/acl/tokens.js';
import { DEFAULT_SCOPE } from '../../envtest/consul/scope.js';
import { ConsulState } from '../../envtest/consul/state.js';
import { aclContext, emptySecretStore } from './state-fixtures.js';
import { serviceDescription } from '../../controllers/domain/token-description.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { CrossClusterWatch, type CrossClusterObserver, type CrossClusterWorld } from './cross-cluster.js';
import { tokenOwner, type TokenOwner } from './invariants.js';

const CLUSTERS = ['chaos', 'chaos-b'];
const CONTROLLER = 'AKIDCONTROLLER';
const DRIVER = '6a1b2c3d-0000-4000-8000-00000000d71e';
const REPLICAS = '6a1b2c3d-0000-4000-8000-0000000c0a7e';

/** A world of two served clusters, each with a healthy web token, and the watch's listeners. */
async function fixture() {
  const clock = new ManualClock();
  const consul = new ConsulState();
  const acl = aclContext(consul);
  const secrets = emptySecretStore(clock);
  const clusters = CLUSTERS.map((name) => ({
    name,
    prefix: name,
    clientSecretArn: `${name}-consul-client-token`,
  }));
  const consulListeners: Array<(call: CallRecord) => void> = [];
  const secretsListeners: Array<(call: CallRecord) => void> = [];
  const world: CrossClusterWorld = {
    clusters,
    services: ['web'],
    consul: { state: consul },
    smServer: { state: secrets },
    driverAccessorId: DRIVER,
    served: (name) => clusters.find((c) => c.name === name)!,
    onConsulCall: (listener) => consulListeners.push(listener),
    onSecretsCall: (listener) => secretsListeners.push(listener),
  };
  const owners = new Map<string, TokenOwner>();
  const web = Object.fromEntries(
    CLUSTERS.map((cluster) => {
      const token = createToken(
        acl,
        {
          AccessorID: randomUUID(),
          SecretID: randomUUID(),
          Description: serviceDescription('Token', { name: 'web' }, cluster),
          ServiceIdentities: [{ ServiceName: 'web' }],
        },
        DEFAULT_SCOPE,
      );
      owners.set(token.accessorId, tokenOwner(token, CLUSTERS)!);
      const secret = secrets.create({ name: `${cluster}-web`, tags: [] });
      secrets.putValue(secret, randomUUID(), {
        secretString: JSON.stringify({ accessor_id: token.accessorId, token: token.secretId }),
      });
      return [cluster, token];
    }),
  );
  // Both web services have been active (and their secrets current) for 20 s.
  await clock.advance(20_000);
  const observer: CrossClusterObserver = {
    owners,
    ownerChanges: [],
    secretAccessors: new Map(),
    activeForMs: () => 20_000,
    knownForMs: () => 20_000,
  };
  const planted = new Set<string>();
  const watch = new CrossClusterWatch(world, observer, planted, {
    controllerKey: CONTROLLER,
    tokenWindowMs: 15_000,
    secretWindowMs: 5_000,
  });
  const consulCall = (operation: string, resource: string, principal = REPLICAS) =>
    consulListeners.forEach((l) => l({ operation, resource, status: 200, principal, at: clock.now() }));
  const secretsCall = (operation: string, resource: string, principal = CONTROLLER) =>
    secretsListeners.forEach((l) => l({ operation, resource, status: 200, principal, at: clock.now() }));
  return { clock, consul, acl, secrets, clusters, web, watch, planted, consulCall, secretsCall };
}

describe('chaos: cross-cluster watch', () => {
  it("reports a delete of chaos-b's wanted web token that no one in the run made, once", async () => {
    const world = await fixture();
    const victim = world.web['chaos-b'].accessorId;
    world.consul.tokens.delete(victim);
    world.consulCall('acl.token.delete', victim);
    world.consulCall('acl.token.delete', victim);
    const violations = world.watch.violations();
    expect(violations.map((v) => v.kind)).to.deep.equal(['cross-cluster']);
    expect(violations[0].message).to.contain(`token ${victim} of chaos-b (web) deleted`);
    // The second delete found no token: the ledger knew it gone, so nothing to judge twice.
    expect(world.watch.counts.tokenDeletes).to.equal(2);
    expect(world.watch.crashes).to.deep.equal([]);
  });

  it("does not report the driver's own out-of-band delete (its call's principal is the driver's token)", async () => {
    const world = await fixture();
    const victim = world.web.chaos.accessorId;
    world.consul.tokens.delete(victim);
    world.consulCall('acl.token.delete', victim, DRIVER);
    expect(world.watch.violations()).to.deep.equal([]);
    expect(world.watch.counts.tokenDeletes).to.equal(1);
  });

  it("reports the controller rewriting chaos's healthy secret, but not the run's own corruption", async () => {
    const world = await fixture();
    const secret = world.secrets.find('chaos-web')!;
    const fresh = JSON.stringify({ accessor_id: randomUUID(), token: randomUUID() });
    world.secrets.putValue(secret, randomUUID(), { secretString: fresh });
    world.secretsCall('PutSecretValue', 'chaos-web', 'AKIDTEST');
    expect(world.watch.violations()).to.deep.equal([]);
    await world.clock.advance(10_000);
    world.secrets.putValue(secret, randomUUID(), {
      secretString: fresh.replace(/"token":"[^"]+"/, '"token":"x"'),
    });
    world.secretsCall('PutSecretValue', 'chaos-web');
    // The value it replaced was the run's random IDs, naming no token: nothing to report.
    expect(world.watch.violations()).to.deep.equal([]);

    const b = await fixture();
    const bSecret = b.secrets.find('chaos-b-web')!;
    b.secrets.putValue(bSecret, randomUUID(), { secretString: fresh });
    b.secretsCall('PutSecretValue', bSecret.arn);
    const violations = b.watch.violations();
    expect(violations.map((v) => v.kind)).to.deep.equal(['cross-cluster']);
    expect(violations[0].message).to.contain('PutSecretValue on secret chaos-b-web of chaos-b');
    expect(b.watch.counts.secretWrites).to.equal(1);
  });
});
