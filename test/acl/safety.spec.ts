import { expect } from 'chai';

import { spawnController } from './cli-process.js';
import { AclWorld, eventually, useAclWorld } from './world.js';

describe('ACL controller safety, end to end', function () {
  this.timeout(40_000);
  let world: AclWorld;
  useAclWorld((started) => (world = started));

  it('is crash safe between the secret write and the token create: same IDs, one token', async () => {
    await world.createServiceSecret('web');
    await world.runTasks('web');
    // Every token create fails: the controller writes the secret, then "dies" before the token exists.
    const removeFault = world.consulServer.faults.add({
      operation: 'acl.token.create',
      kind: 'reset',
      count: 1_000,
    });
    const first = await world.startController();
    const written = await eventually('IDs in the secret', async () => {
      const secret = await world.secretValue(`${world.prefix}-web`);
      return secret.accessor_id ? secret : undefined;
    });
    await first.stop();
    expect(await world.serviceTokens()).to.deep.equal([]);
    removeFault();
    await world.startController();
    const token = await eventually('the token', async () => (await world.serviceTokens())[0]);
    expect([token.AccessorID, token.SecretID]).to.deep.equal([written.accessor_id, written.token]);
    expect(await world.serviceTokens()).to.have.length(1);
    expect(await world.secretValue(`${world.prefix}-web`)).to.deep.equal(written);
  });

  it('never writes a SecretID to a log line or to /metrics', async () => {
    await world.createServiceSecret('web', 'garbage');
    await world.createServiceSecret('api');
    await world.runTasks('web');
    await world.runTasks('api');
    const controller = await world.startController({}, undefined);
    await eventually('two tokens', async () => (await world.serviceTokens()).length === 2);
    const secrets = [
      (await world.secretValue(`${world.prefix}-web`)).token,
      (await world.secretValue(`${world.prefix}-api`)).token,
      (await world.secretValue(world.clientSecretArn)).token,
      world.consulServer.managementToken,
    ];
    expect(secrets.every((secret) => typeof secret === 'string' && secret.length === 36)).to.equal(true);
    const haystack = `${controller.logs.join('\n')}\n${await controller.metrics()}`;
    expect(controller.logs.length).to.be.greaterThan(5);
    for (const secret of secrets) expect(haystack).to.not.contain(secret);
  });

  it('changes nothing in dry-run mode, and logs what it would do', async () => {
    await world.createServiceSecret('web');
    await world.runTasks('web');
    const controller = await world.startController({ dryRun: true });
    await eventually('the intended changes logged', async () =>
      controller.logs.some((line) => line.includes('dry-run: would create the service token')),
    );
    expect(await world.serviceTokens()).to.deep.equal([]);
    expect(await world.secretValue(`${world.prefix}-web`)).to.deep.equal({});
    expect(world.smServer.calls.count('UpdateSecret')).to.equal(0);
    expect(world.consulServer.calls.count('acl.token.create')).to.equal(0);
  });

  it('with -once, reconciles fully and exits 0 when converged, 1 when not (real CLI process)', async function () {
    this.timeout(60_000);
    await world.createServiceSecret('web');
    await world.runTasks('web');
    const run = async (extra: string[]) => {
      const controller = spawnController(world, ['-resync-interval', '1s', '-once', ...extra]);
      const code = await controller.exited;
      return { code, output: controller.output() };
    };
    const converged = await run([]);
    expect(converged.code, converged.output).to.equal(0);
    expect(converged.output).to.contain('"msg":"converged"');
    expect(await world.serviceTokens()).to.have.length(1);
    expect(converged.output).to.not.contain(world.consulServer.managementToken);

    await world.runTasks('nosecret');
    const failing = await run([]);
    expect(failing.code, failing.output).to.equal(1);
    expect(failing.output).to.contain('service-token/nosecret');
  });

  it('with -once, gives up with exit 1 when the caches never sync (Consul unreachable), within 2 resyncs + 10 s', async function () {
    this.timeout(60_000);
    const startedAt = performance.now();
    // Nothing listens on port 1: every Consul list fails, so the Consul caches never sync.
    const controller = spawnController(world, ['-resync-interval', '1s', '-once'], {
      CONSUL_HTTP_ADDR: '127.0.0.1:1',
    });
    const code = await controller.exited;
    const seconds = (performance.now() - startedAt) / 1000;
    expect(code, controller.output()).to.equal(1);
    expect(controller.output()).to.contain('"msg":"not converged"').and.contain('caches not synced');
    // Reported, not asserted as a timing: the bound is 2 resyncs + 10 s = 12 s.
    console.log(`      -once without Consul: exit 1 after ${seconds.toFixed(1)} s (bound 12 s)`);
  });
});
