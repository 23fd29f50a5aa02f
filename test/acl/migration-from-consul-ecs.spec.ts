/**
 * The README's migration table, measured: HashiCorp's consul-ecs v0.4.3 `acl-controller` (the real
 * binary, scripts/build-consul-ecs.sh) provisions a cluster on envtest, is stopped, and our
 * controller (the real CLI) takes over the same servers. What is identical stays byte-for-byte:
 * the client secret and the service secret (so the tokens' AccessorIDs and SecretIDs), the
 * service token's description, the client policy's name, ID and rules. What differs is the
 * difference the README states: the client token's description gains the cluster line, and the
 * service token gets a service identity instead of the per-service policy consul-ecs v0.4 linked.
 *
 * Skipped, with the reason printed, when the consul-ecs binary is not built.
 */
import { expect } from 'chai';

import {
  consulEcsBin,
  type ConsulEcsHandle,
  consulEcsUnavailable,
  runConsulEcs,
} from '../helpers/consul-ecs/run-consul-ecs.js';
import { type ControllerProcess, spawnController } from './cli-process.js';
import { AclWorld, eventually } from './world.js';

interface Token {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies?: Array<{ ID: string; Name: string }>;
  ServiceIdentities?: Array<{ ServiceName: string }>;
}

interface Policy {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
}

describe('migrating from consul-ecs v0.4.3 to ecs-acl-controller (README migration table)', function () {
  this.timeout(90_000);
  let world: AclWorld | undefined;
  let consulEcs: ConsulEcsHandle | undefined;
  let controller: ControllerProcess | undefined;

  before(function () {
    const reason = consulEcsUnavailable();
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  afterEach(async function () {
    await consulEcs?.stop();
    if (controller && controller.child.exitCode === null) {
      controller.child.kill('SIGTERM');
      await controller.exited;
    }
    if (this.currentTest?.state === 'failed') {
      console.log(`      consul-ecs logs:\n${(consulEcs?.logs ?? []).map((l) => `        ${l}`).join('\n')}`);
      console.log(`      controller output:\n${controller?.output() ?? ''}`);
    }
    await world?.close();
  });

  it('adopts what consul-ecs made: same secrets and IDs; the client description gains the cluster line; the service token gains a service identity', async () => {
    world = await AclWorld.start({ consul: { version: '1.14' } });
    const w = world;
    await w.createServiceSecret('web');
    await w.runTasks('web', 1);
    const token = async (accessorId: string) =>
      (await w.consul<Token>('GET', `/v1/acl/token/${accessorId}`)).json;
    const clientPolicy = async () =>
      (await w.consul<Policy>('GET', `/v1/acl/policy/name/${w.prefix}-consul-client-policy`)).json;

    consulEcs = await runConsulEcs({
      binary: consulEcsBin(),
      cluster: w.cluster,
      clientSecretArn: w.clientSecretArn,
      secretNamePrefix: w.prefix,
      ecsUrl: w.ecsServer.url,
      secretsManagerUrl: w.smServer.url,
      consulUrl: w.consulServer.url,
      consulToken: w.consulServer.managementToken,
    });
    // consul-ecs polls every 10 s, the first time 10 s after start.
    const webIds = await eventually(
      'consul-ecs writing the web token',
      async () => {
        const ids = await w.secretValue(`${w.prefix}-web`);
        return ids.token ? ids : undefined;
      },
      30_000,
    );
    await consulEcs.stop();

    const clientIds = await w.secretValue(w.clientSecretArn);
    const before = {
      client: await token(clientIds.accessor_id as string),
      web: await token(webIds.accessor_id as string),
      policy: await clientPolicy(),
    };
    // What consul-ecs v0.4.3 wrote: no cluster line on the client token, one-line client rules, a
    // per-service policy on the service token and no service identity.
    expect(before.client.Description).to.equal('ECS Consul client Token');
    expect(before.policy.Rules).to.equal(
      'node_prefix "" { policy = "write" } service_prefix "" { policy = "read" }',
    );
    expect(before.web.Description).to.equal(
      `Token for web service\nconsul.hashicorp.com/cluster: ${w.cluster}`,
    );
    expect(before.web.ServiceIdentities ?? []).to.deep.equal([]);
    expect((before.web.Policies ?? []).map((policy) => policy.Name)).to.have.length(1);

    controller = spawnController(w, ['-resync-interval', '1s']);
    const after = await eventually(
      'our controller adopting both tokens',
      async () => {
        const client = await token(clientIds.accessor_id as string);
        const web = await token(webIds.accessor_id as string);
        const adopted =
          client.Description.includes('\necs-acl-controller/cluster: ') &&
          (web.ServiceIdentities ?? []).length > 0;
        return adopted ? { client, web, policy: await clientPolicy() } : undefined;
      },
      30_000,
    );

    // Identical: the secrets (so every AccessorID and SecretID), the service token's description,
    // the client policy (name, ID, rules: equal in meaning to ours, so left as consul-ecs wrote it).
    expect(await w.secretValue(w.clientSecretArn)).to.deep.equal(clientIds);
    expect(await w.secretValue(`${w.prefix}-web`)).to.deep.equal(webIds);
    expect(after.client.SecretID).to.equal(before.client.SecretID);
    expect(after.web.SecretID).to.equal(before.web.SecretID);
    expect(after.web.Description).to.equal(before.web.Description);
    expect(after.policy).to.include({
      ID: before.policy.ID,
      Name: before.policy.Name,
      Description: 'Consul Client Token Policy for ECS',
      Rules: before.policy.Rules,
    });
    // Different: the client description's cluster line, the service identity.
    expect(after.client.Description).to.equal(
      `ECS Consul client Token\necs-acl-controller/cluster: ${w.cluster}`,
    );
    expect((after.client.Policies ?? []).map((policy) => policy.Name)).to.deep.equal([
      `${w.prefix}-consul-client-policy`,
    ]);
    expect(after.web.ServiceIdentities).to.deep.equal([{ ServiceName: 'web' }]);
    // consul-ecs's per-service policy is unlinked; it stays while the service runs (the garbage
    // collector deletes it with the service's tokens once the service is gone).
    expect(after.web.Policies ?? []).to.deep.equal([]);
    const policies = (await w.consul<Policy[]>('GET', '/v1/acl/policies')).json;
    expect(policies.map((policy) => policy.Description)).to.include(
      `Policy for web service\nconsul.hashicorp.com/cluster: ${w.cluster}`,
    );
    expect(await w.ownServiceTokens()).to.have.length(1);
  });
});
