import { expect } from 'chai';

import { spawnController, type ControllerProcess } from './cli-process.js';
import { AclWorld, eventually, useAclWorld } from './world.js';

/** The value of the sample of `metric` with exactly these labels, from Prometheus text. */
function sample(text: string, metric: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${metric}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('one process serving several ECS clusters', function () {
  this.timeout(60_000);
  let alpha: AclWorld;
  let beta: AclWorld;
  useAclWorld((started) => (alpha = started), { cluster: 'alpha', consul: { sessionTtlMinMs: 1_000 } });
  beforeEach(async () => {
    beta = await AclWorld.attach(alpha.backends, { cluster: 'beta', prefix: 'tb' });
  });
  afterEach(async () => beta.close());

  it('gives each cluster its own tokens, secrets, controllers, informers and metrics', async () => {
    await alpha.createServiceSecret('web');
    await beta.createServiceSecret('web');
    const controller = await alpha.startController({}, undefined, { alsoServe: [beta] });
    await alpha.runTasks('web');
    const betaTasks = await beta.runTasks('web');
    const a = await eventually('alpha token', async () => (await alpha.ownServiceTokens())[0]);
    const b = await eventually('beta token', async () => (await beta.ownServiceTokens())[0]);
    expect(a.AccessorID).to.not.equal(b.AccessorID);
    expect((await alpha.secretValue('test-web')).accessor_id).to.equal(a.AccessorID);
    expect((await beta.secretValue('tb-web')).accessor_id).to.equal(b.AccessorID);

    expect(controller.manager.controllers.map((c) => c.name).sort()).to.deep.equal([
      'client-token/alpha',
      'client-token/beta',
      'garbage-collector/alpha',
      'garbage-collector/beta',
      'service-token/alpha',
      'service-token/beta',
    ]);
    // The client tokens are made beside the service tokens, and a reconcile is counted after
    // Consul's answer: wait for the whole set, not one sample.
    await eventually('the metrics of both clusters', async () => {
      const metrics = await controller.metrics();
      expect(sample(metrics, 'acl_controller_managed_services', 'cluster="beta"')).to.equal(1);
      expect(sample(metrics, 'acl_controller_managed_services', 'cluster="alpha"')).to.equal(1);
      expect(sample(metrics, 'acl_controller_client_token_ready', 'cluster="alpha"')).to.equal(1);
      expect(sample(metrics, 'acl_controller_client_token_ready', 'cluster="beta"')).to.equal(1);
      expect(metrics).to.match(
        /controller_runtime_reconcile_total\{controller="service-token\/beta",result="success"\} [1-9]/,
      );
      expect(metrics).to.match(/informer_synced\{[^}]*"ecs-tasks\/alpha"[^}]*\} 1/);
      return true;
    });
    expect(controller.logs.some((line) => line.includes('"cluster":"beta"'))).to.equal(true);

    // Beta's service goes away: only beta's token is collected.
    await beta.stopTasks(betaTasks);
    await eventually('beta token collected', async () =>
      (await beta.ownServiceTokens()).length === 0 ? true : undefined,
    );
    expect((await alpha.ownServiceTokens()).map((token) => token.AccessorID)).to.deep.equal([a.AccessorID]);
  });

  it("keeps serving one cluster while the other's ECS reads are throttled and its caches never fill", async () => {
    alpha.ecsServer.faults.add({ operation: 'ListTasks', kind: 'throttle', fraction: 1, resource: 'beta' });
    await alpha.createServiceSecret('api');
    await beta.createServiceSecret('api');
    const controller = await alpha.startController({}, undefined, { alsoServe: [beta], withoutSync: true });
    await alpha.runTasks('api');
    await beta.runTasks('api');
    await eventually('alpha token', async () => (await alpha.ownServiceTokens())[0]);
    expect(controller.manager.leadingGroups()).to.deep.equal(['alpha']);
    expect(await beta.ownServiceTokens()).to.have.length(0);
    const ready = await fetch(`${controller.manager.opsUrl}/readyz?verbose`);
    expect(ready.status).to.equal(503);
    expect(await ready.text()).to.contain('ecs-tasks/beta');
    await eventually('throttling counted', async () =>
      /external_api_requests_total\{[^}]*code="ThrottlingException"[^}]*\} [1-9]/.test(
        await controller.metrics(),
      ),
    );
  });

  it('shares clusters between replicas with one lock per cluster; killing one hands its clusters to the survivor', async () => {
    await alpha.createServiceSecret('web');
    await beta.createServiceSecret('web');
    await alpha.runTasks('web');
    await beta.runTasks('web');
    const flags = [
      '-cluster',
      beta.cluster,
      '-secret-name-prefix',
      beta.prefix,
      '-consul-client-secret-arn',
      beta.clientSecretArn,
      '-leader-election',
      '-leader-election-ttl',
      '2s',
      '-leader-election-renew',
      '500ms',
      '-leader-election-lock-delay',
      '1s',
      // This world's Consul has session_ttl_min 1s (above), so the short TTL is accepted.
      '-consul-session-ttl-min',
      '1s',
      '-resync-interval',
      '1s',
      '-gc-grace-period',
      '0',
    ];
    const replicas = [spawnController(alpha, flags), spawnController(alpha, flags)];
    const holder = async (cluster: string) => {
      const { status, json } = await alpha.consul<Array<{ Value: string; Session?: string }>>(
        'GET',
        `/v1/kv/ecs-acl-controller/${cluster}/leader`,
      );
      if (status !== 200 || !json[0]?.Session) return undefined;
      const { holder: identity } = JSON.parse(Buffer.from(json[0].Value, 'base64').toString()) as {
        holder: string;
      };
      return replicas.find((replica) => identity.endsWith(`/${replica.pid}`));
    };
    try {
      const alphaLeader = await eventually('alpha leader', () => holder('alpha'));
      await eventually('beta leader', () => holder('beta'));
      await eventually('both tokens', async () =>
        (await alpha.ownServiceTokens()).length === 1 && (await beta.ownServiceTokens()).length === 1
          ? true
          : undefined,
      );
      const other = replicas.find((replica) => replica !== alphaLeader) as ControllerProcess;
      alphaLeader.child.kill('SIGKILL');
      await eventually('the other replica leads alpha', async () =>
        (await holder('alpha')) === other ? true : undefined,
      );
      await eventually('the other replica leads beta', async () =>
        (await holder('beta')) === other ? true : undefined,
      );
      const url = await eventually('ops url', () => /"url":"(http:[^"]+)"/.exec(other.output())?.[1]);
      const metrics = await eventually('both leader gauges at 1', async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        const leads = ['alpha', 'beta'].map((name) =>
          sample(text, 'leader_election_master_status', `name="${name}"`),
        );
        return leads.every((value) => value === 1) ? text : undefined;
      });
      expect(metrics).to.contain('leader_election_acquisitions_total{name="alpha"}');
      // A token deleted out of band in each cluster comes back once: no duplicates.
      for (const world of [alpha, beta]) {
        const [token] = await world.ownServiceTokens();
        await world.consul('DELETE', `/v1/acl/token/${token.AccessorID}`);
        await eventually(`${world.cluster} token back`, async () => (await world.ownServiceTokens())[0]);
      }
      await eventually('two more resyncs', async () => alpha.ecsServer.calls.count('ListTasks') >= 8);
      expect(await alpha.ownServiceTokens()).to.have.length(1);
      expect(await beta.ownServiceTokens()).to.have.length(1);
    } finally {
      for (const replica of replicas) replica.child.kill('SIGKILL');
      await Promise.all(replicas.map((replica) => replica.exited));
    }
  });
});
