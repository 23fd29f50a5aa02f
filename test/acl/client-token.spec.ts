import { expect } from 'chai';

import { AclWorld, eventually, useAclWorld } from './world.js';

interface Token {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies?: Array<{ Name: string }>;
}

describe('client token bootstrapper, end to end', function () {
  this.timeout(30_000);
  let world: AclWorld;
  useAclWorld((started) => (world = started), { consul: { version: '1.14' } });

  async function clientToken(): Promise<Token | undefined> {
    const secret = await world.secretValue(world.clientSecretArn);
    if (!secret.accessor_id) return undefined;
    const { status, json } = await world.consul<Token>('GET', `/v1/acl/token/${secret.accessor_id}`);
    return status === 200 && json.SecretID === secret.token ? json : undefined;
  }

  it('creates the client policy and a token with it, and stores the token in the client secret (P16)', async () => {
    const controller = await world.startController();
    const token = await eventually('the client token', clientToken);
    expect(token.Policies?.map((policy) => policy.Name)).to.deep.equal(['test-consul-client-policy']);
    expect(token.Description).to.equal(
      `ECS Consul client Token\necs-acl-controller/cluster: ${world.cluster}`,
    );
    const { json: policy } = await world.consul<{ Rules: string; Description: string }>(
      'GET',
      '/v1/acl/policy/name/test-consul-client-policy',
    );
    expect(policy.Rules).to.match(/node_prefix "" \{\s*policy = "write"\s*\}/);
    expect(policy.Rules).to.match(/service_prefix "" \{\s*policy = "read"\s*\}/);
    const ready = await eventually('ready', async () => {
      const response = await fetch(`${controller.manager.opsUrl}/readyz?verbose`);
      return response.status === 200 ? response.text() : undefined;
    });
    expect(ready).to.contain('[+]client-token ok');
    expect(await controller.metrics()).to.match(/^acl_controller_client_token_ready\{cluster="[^"]+"\} 1$/m);
  });

  it('makes no API call on a resync while the cached client token still matches', async () => {
    await world.startController();
    await eventually('the client token', clientToken);
    await eventually('a resync or two', async () => world.ecsServer.calls.count('ListTasks') >= 3);
    const reads = world.smServer.calls.count('GetSecretValue');
    const tokenReads = world.consulServer.calls.count('acl.token.read');
    await eventually('two more resyncs', async () => world.ecsServer.calls.count('ListTasks') >= 5);
    expect(world.smServer.calls.count('GetSecretValue')).to.equal(reads);
    expect(world.consulServer.calls.count('acl.token.read')).to.equal(tokenReads);
  });

  it('reuses a valid client token across restarts (P17)', async () => {
    const first = await world.startController();
    const token = await eventually('the client token', clientToken);
    await first.stop();
    const creates = world.consulServer.calls.count('acl.token.create');
    const second = await world.startController();
    await eventually('ready again', async () =>
      /^acl_controller_client_token_ready\{cluster="[^"]+"\} 1$/m.test(await second.metrics()),
    );
    expect(world.consulServer.calls.count('acl.token.create')).to.equal(creates);
    expect((await clientToken())?.AccessorID).to.equal(token.AccessorID);
  });

  it('mints a new client token when the old one is deleted in Consul, without a restart', async () => {
    await world.startController();
    const token = await eventually('the client token', clientToken);
    await world.consul('DELETE', `/v1/acl/token/${token.AccessorID}`);
    const again = await eventually('a client token again', clientToken);
    // The secret's IDs are reused, so agents holding the secret keep working once it is back.
    expect(again.AccessorID).to.equal(token.AccessorID);
  });

  it('replaces the client token when its secret was tampered with, at the next secret recheck', async () => {
    await world.startController({ secretRecheckMs: 500 });
    const token = await eventually('the client token', clientToken);
    await world.putSecretValue(
      world.clientSecretArn,
      JSON.stringify({ accessor_id: token.AccessorID, token: '11111111-2222-4333-8444-555555555555' }),
    );
    const replaced = await eventually('a valid client token', async () => {
      const current = await clientToken();
      return current && current.AccessorID !== token.AccessorID ? current : undefined;
    });
    expect(replaced.SecretID).to.not.equal(token.SecretID);
  });

  it('stays up and not ready while Consul is unreachable, then recovers on its own', async () => {
    const url = world.consulServer.url;
    const port = world.consulServer.port;
    const state = world.consulServer.state;
    const token = world.consulServer.managementToken;
    await world.consulServer.close();
    const controller = await world.startController({}, token, { withoutSync: true });
    const failedList =
      /external_api_requests_total\{service="consul",operation="acl.tokens.list",code="network"\} [1-9]/;
    // The ops server answers while Consul is down (the process did not crash), and the controller
    // has met the unreachable Consul before it comes back.
    await eventually('a failed Consul list', async () => failedList.test(await controller.metrics()));
    const { startConsulServer } = await import('../../envtest/consul/server.js');
    world.consulServer = await startConsulServer({ port, state, version: '1.14' });
    expect(world.consulServer.url).to.equal(url);
    await eventually(
      'the caches synced and the controllers started',
      async () => (await fetch(`${controller.manager.opsUrl}/readyz`)).status === 200,
    );
    await eventually('the client token', clientToken);
    expect(await controller.metrics()).to.match(failedList);
  });
});
