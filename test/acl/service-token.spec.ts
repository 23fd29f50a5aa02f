import { expect } from 'chai';

import { AclWorld, eventually, MESH, useAclWorld } from './world.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

for (const version of ['1.14', '1.15'] as const) {
  describe(`service token controller, end to end (Consul ${version} not-found flavour)`, function () {
    this.timeout(30_000);
    let world: AclWorld;
    useAclWorld((started) => (world = started), { consul: { version } });

    it('writes IDs to the secret first, then creates one token with exactly those IDs (P8, P10–P13)', async () => {
      await world.createServiceSecret('web');
      await world.runTasks('web', 3);
      await world.startController();
      const token = await eventually('a token for web', async () => (await world.serviceTokens())[0]);
      const secret = await world.secretValue(`${world.prefix}-web`);
      expect(secret.accessor_id).to.match(UUID);
      expect(secret.token).to.match(UUID);
      expect(token.AccessorID).to.equal(secret.accessor_id);
      expect(token.SecretID).to.equal(secret.token);
      expect(token.Description).to.equal('Token for web service\nconsul.hashicorp.com/cluster: prod');
      expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: 'web' }]);
      // P12: the secret write precedes the token create in the servers' call logs.
      const putAt = world.smServer.calls.all().find((call) => call.operation === 'UpdateSecret')
        ?.at as number;
      const createAt = world.consulServer.calls
        .all()
        .find((call) => call.operation === 'acl.token.create' && call.status === 200)?.at as number;
      expect(putAt).to.be.a('number');
      expect(createAt).to.be.at.least(putAt);
      // P6: three tasks, one service, one token.
      expect(await world.serviceTokens()).to.have.length(1);
    });

    it("reads each service's secret once: neither its token's own creation event nor resyncs re-read it before the recheck", async () => {
      const services = ['web', 'api', 'db'];
      for (const service of services) {
        await world.createServiceSecret(service);
        await world.runTasks(service);
      }
      await world.startController();
      await eventually('three tokens', async () => (await world.serviceTokens()).length === 3 || undefined);
      const lists = world.ecsServer.calls.count('ListTasks');
      await eventually(
        'three more resyncs',
        async () => world.ecsServer.calls.count('ListTasks') >= lists + 3,
      );
      for (const service of services) {
        const reads = world.smServer.calls
          .all()
          .filter(
            (call) => call.operation === 'GetSecretValue' && call.resource === `${world.prefix}-${service}`,
          );
        expect(reads, service).to.have.length(1);
      }
    });

    it('reuses the IDs of a complete secret and creates nothing when the token exists (P13)', async () => {
      const ids = {
        accessor_id: '0b3f4e36-1c57-4a5c-9d2e-0e6f7a8b9c01',
        token: '5d6e7f80-9a1b-4c2d-8e3f-405162738495',
      };
      await world.createServiceSecret('api', JSON.stringify(ids));
      await world.runTasks('api');
      const controller = await world.startController();
      const token = await eventually('a token for api', async () => (await world.serviceTokens())[0]);
      expect(token.AccessorID).to.equal(ids.accessor_id);
      expect(token.SecretID).to.equal(ids.token);
      await controller.stop();
      const creates = world.consulServer.calls.count('acl.token.create');
      await world.startController();
      await eventually('a second full reconcile', async () =>
        (await world.consulServer.calls.count('acl.tokens.list')) > 2 ? true : undefined,
      );
      expect(
        world.consulServer.calls.count('acl.token.create') - creates,
        'no new service token',
      ).to.be.at.most(1);
      expect(await world.serviceTokens()).to.have.length(1);
      expect(world.smServer.calls.count('UpdateSecret')).to.equal(1, 'only the client secret was written');
    });

    it('ignores tasks whose mesh tag is not exactly "true" (P4)', async () => {
      await world.createServiceSecret('web');
      await world.createServiceSecret('legacy');
      await world.runTasks('legacy', 1, [{ key: MESH.key, value: 'TRUE' }]);
      await world.runTasks('web');
      await world.startController();
      await eventually('a token for web', async () => (await world.serviceTokens()).length === 1);
      expect(
        (await world.serviceTokens()).map((token) => token.ServiceIdentities?.[0].ServiceName),
      ).to.deep.equal(['web']);
      expect(await world.secretValue(`${world.prefix}-legacy`)).to.deep.equal({});
    });

    it('names the service by the service-name tag (P5)', async () => {
      await world.createServiceSecret('frontend');
      await world.runTasks('web-v2', 1, [
        MESH,
        { key: 'consul.hashicorp.com/service-name', value: 'frontend' },
      ]);
      await world.startController();
      const token = await eventually('a token for frontend', async () => (await world.serviceTokens())[0]);
      expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: 'frontend' }]);
    });

    it('deletes the tokens of a service with no running task, keeping its secret; a returning service gets the same IDs (P9, P14)', async () => {
      await world.createServiceSecret('web');
      const tasks = await world.runTasks('web', 2);
      await world.startController();
      const first = await eventually('a token', async () => (await world.serviceTokens())[0]);
      await world.stopTasks(tasks);
      await eventually('the token deleted', async () => (await world.serviceTokens()).length === 0);
      const secret = await world.secretValue(`${world.prefix}-web`);
      expect(secret.accessor_id).to.equal(first.AccessorID);
      await world.runTasks('web');
      const again = await eventually('a token again', async () => (await world.serviceTokens())[0]);
      expect(again.AccessorID).to.equal(first.AccessorID);
      expect(again.SecretID).to.equal(first.SecretID);
    });

    it('goes on with other services when one fails (P15), and picks up a task started later without a restart', async () => {
      await world.createServiceSecret('web');
      await world.runTasks('nosecret');
      await world.runTasks('web');
      const controller = await world.startController();
      await eventually('a token for web', async () => (await world.serviceTokens()).length === 1);
      // nosecret is reconciled beside web, not before it: its failure may be logged later.
      await eventually('the missing secret logged', () => {
        expect(controller.logs.some((line) => line.includes('secret test-nosecret does not exist'))).to.equal(
          true,
        );
        return true;
      });
      await world.createServiceSecret('late');
      await world.runTasks('late');
      await eventually('a token for late', async () => (await world.serviceTokens()).length === 2);
      const metrics = await controller.metrics();
      expect(metrics).to.match(/acl_controller_errors_total\{cluster="[^"]+",kind="secret_missing"\} [1-9]/);
    });
  });
}
