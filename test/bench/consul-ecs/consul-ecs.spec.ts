/**
 * Proves HashiCorp consul-ecs v0.4.3 `acl-controller` runs against the envtest servers: it mints
 * the Consul client token at startup and, on its first poll (10 s after start), the service token
 * for a mesh service, in the same description format our controller uses.
 *
 * Skipped, with the reason printed, when the binary is not built (scripts/build-consul-ecs.sh).
 * By default the process is stopped as soon as both tokens are verified (~11 s, one poll);
 * CONSUL_ECS_OBSERVE_MS=25000 keeps it running that long from start (two polls) before the
 * per-operation API call counts are printed.
 */
import { expect } from 'chai';

import { AclWorld, type ConsulTokenStub, eventually } from '../../acl/world.js';
import {
  type ConsulEcsHandle,
  consulEcsBin,
  consulEcsUnavailable,
  runConsulEcs,
} from '../../helpers/consul-ecs/run-consul-ecs.js';

const OBSERVE_MS = Number(process.env.CONSUL_ECS_OBSERVE_MS ?? '0');

describe('consul-ecs v0.4.3 acl-controller against envtest (ECS, Secrets Manager, Consul 1.14)', function () {
  this.timeout(40_000 + OBSERVE_MS);
  let world: AclWorld | undefined;
  let consulEcs: ConsulEcsHandle | undefined;

  before(function () {
    const reason = consulEcsUnavailable();
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  afterEach(async function () {
    await consulEcs?.stop();
    if (this.currentTest?.state === 'failed' && consulEcs) {
      console.log(`      consul-ecs logs:\n${consulEcs.logs.map((line) => `        ${line}`).join('\n')}`);
    }
    await world?.close();
  });

  it('creates the client token at startup and the service token on its first poll', async () => {
    world = await AclWorld.start({ consul: { version: '1.14' } });
    const w = world;
    await w.createServiceSecret('web');
    await w.runTasks('web', 2);
    for (const server of [w.ecsServer, w.smServer, w.consulServer]) server.calls.reset();

    const started = performance.now();
    const ce = await runConsulEcs({
      binary: consulEcsBin(),
      cluster: w.cluster,
      clientSecretArn: w.clientSecretArn,
      secretNamePrefix: w.prefix,
      ecsUrl: w.ecsServer.url,
      secretsManagerUrl: w.smServer.url,
      consulUrl: w.consulServer.url,
      consulToken: w.consulServer.managementToken,
    });
    consulEcs = ce;
    const exitedEarly = ce.exited.then((code) => {
      throw new Error(`consul-ecs exited with ${code}:\n${ce.logs.join('\n')}`);
    });
    // Waits on the servers' in-memory call logs, so the counts below are consul-ecs's calls only.
    const tokensCreated = (n: number) => w.consulServer.calls.count('acl.token.create') >= n;
    const within = (what: string, check: () => boolean, ms: number) =>
      Promise.race([eventually(what, check, ms), exitedEarly]);
    await within('the client token (startup)', () => tokensCreated(1), 8_000);
    await within('the service token (first poll, 10 s after start)', () => tokensCreated(2), 20_000);
    const firstPollMs = performance.now() - started;
    const left = OBSERVE_MS - firstPollMs;
    if (left > 0) await Promise.race([new Promise((resolve) => setTimeout(resolve, left)), exitedEarly]);
    const elapsed = ((performance.now() - started) / 1000).toFixed(1);
    const counts = {
      ecs: w.ecsServer.calls.snapshot(),
      secretsManager: w.smServer.calls.snapshot(),
      consul: w.consulServer.calls.snapshot(),
      proxiedAwsRequests: { ...ce.proxy.requests },
    };
    await ce.stop();

    // Startup: client policy + token with server-generated IDs, written to the client secret.
    const clientSecret = await w.secretValue(w.clientSecretArn);
    const { status, json: clientToken } = await w.consul<ConsulTokenStub>(
      'GET',
      `/v1/acl/token/${clientSecret.accessor_id}`,
    );
    expect(status).to.equal(200);
    expect(clientToken.SecretID).to.equal(clientSecret.token);
    expect(clientToken.Description).to.equal('ECS Consul client Token');
    expect(clientToken.Policies?.map((policy) => policy.Name)).to.deep.equal([
      `${w.prefix}-consul-client-policy`,
    ]);

    // First poll: the service token, in the same description format as ours, and its secret.
    const description = `Token for web service\nconsul.hashicorp.com/cluster: ${w.cluster}`;
    const serviceTokens = await w.serviceTokens();
    expect(serviceTokens.map((token) => token.Description)).to.deep.equal([description]);
    const [serviceToken] = serviceTokens;
    expect(serviceToken?.Policies?.map((policy) => policy.Name)).to.deep.equal(['web-service']);
    expect(await w.secretValue(`${w.prefix}-web`)).to.deep.equal({
      accessor_id: serviceToken?.AccessorID,
      token: serviceToken?.SecretID,
    });
    expect(ce.proxy.refused, 'requests the proxy refused').to.deep.equal([]);
    expect(ce.metadata.requests).to.equal(1);

    console.log(
      `      service token after ${(firstPollMs / 1000).toFixed(1)} s; calls in the first ${elapsed} s:`,
    );
    console.log(
      JSON.stringify(counts, null, 2)
        .split('\n')
        .map((line) => `        ${line}`)
        .join('\n'),
    );
  });
});
