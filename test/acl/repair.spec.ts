import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';

import { AclWorld, eventually, useAclWorld } from './world.js';

const IDS = {
  accessor_id: '0b3f4e36-1c57-4a5c-9d2e-0e6f7a8b9c01',
  token: '5d6e7f80-9a1b-4c2d-8e3f-405162738495',
};

describe('service token repair, end to end', function () {
  this.timeout(30_000);
  let world: AclWorld;
  useAclWorld((started) => (world = started));

  it("recreates a token deleted out of band with the secret's IDs", async () => {
    await world.createServiceSecret('web', JSON.stringify(IDS));
    await world.runTasks('web');
    const controller = await world.startController();
    await eventually('a token', async () => (await world.serviceTokens()).length === 1);
    await world.consul('DELETE', `/v1/acl/token/${IDS.accessor_id}`);
    const again = await eventually('the token back', async () => (await world.serviceTokens())[0]);
    expect([again.AccessorID, again.SecretID]).to.deep.equal([IDS.accessor_id, IDS.token]);
    expect(await controller.metrics()).to.match(
      /acl_controller_tokens_repaired_total\{cluster="[^"]+",controller="service-token",reason="token_missing"\} 1/,
    );
  });

  it('replaces a malformed secret with new IDs under the documented policy, with an error and a metric', async () => {
    await world.createServiceSecret('web', 'this is {not json');
    await world.runTasks('web');
    const controller = await world.startController();
    const token = await eventually('a token', async () => (await world.serviceTokens())[0]);
    const secret = await world.secretValue(`${world.prefix}-web`);
    expect(token.AccessorID).to.equal(secret.accessor_id);
    expect(await controller.metrics()).to.match(
      /acl_controller_errors_total\{cluster="[^"]+",kind="secret_malformed"\} 1/,
    );
    const logged = controller.logs.find((line) => line.includes('secret value is malformed'));
    expect(logged).to.contain('the value is not valid JSON');
    expect(logged).to.not.contain('this is {not json');
  });

  it('treats a secret holding SecretBinary as malformed: an error and a metric, never a silent overwrite', async () => {
    const binary = Buffer.from('binary-secret-value-never-logged');
    await world.sm.send(new CreateSecretCommand({ Name: `${world.prefix}-web`, SecretBinary: binary }));
    await world.runTasks('web');
    const controller = await world.startController();
    const token = await eventually('a token', async () => (await world.serviceTokens())[0]);
    expect(token.AccessorID).to.equal((await world.secretValue(`${world.prefix}-web`)).accessor_id);
    expect(await controller.metrics()).to.match(
      /acl_controller_errors_total\{cluster="[^"]+",kind="secret_malformed"\} 1/,
    );
    const logged = controller.logs.find((line) => line.includes('secret value is malformed'));
    expect(logged)
      .to.contain('"level":"error"')
      .and.contain('the secret holds SecretBinary, not SecretString');
    const everything = controller.logs.join('\n');
    expect(everything).to.not.contain(binary.toString()).and.not.contain(binary.toString('base64'));
    // The binary value stays recoverable, as for any repaired secret.
    const previous = await world.sm.send(
      new GetSecretValueCommand({ SecretId: `${world.prefix}-web`, VersionStage: 'AWSPREVIOUS' }),
    );
    expect(Buffer.from(previous.SecretBinary ?? []).equals(binary)).to.equal(true);
  });

  it('keeps the token that matches the secret and deletes duplicates for the same service', async () => {
    await world.createServiceSecret('web', JSON.stringify(IDS));
    const description = `Token for web service\nconsul.hashicorp.com/cluster: ${world.cluster}`;
    for (let i = 0; i < 2; i++) {
      await world.consul('PUT', '/v1/acl/token', {
        Description: description,
        ServiceIdentities: [{ ServiceName: 'web' }],
      });
    }
    await world.runTasks('web');
    await world.startController();
    await eventually('one token left', async () => {
      const tokens = await world.serviceTokens();
      return tokens.length === 1 && tokens[0].AccessorID === IDS.accessor_id;
    });
  });

  it('recreates a token whose SecretID differs from the secret, and resets drifted identities', async () => {
    await world.createServiceSecret('web', JSON.stringify(IDS));
    await world.consul('PUT', '/v1/acl/token', {
      AccessorID: IDS.accessor_id,
      SecretID: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
      Description: `Token for web service\nconsul.hashicorp.com/cluster: ${world.cluster}`,
      ServiceIdentities: [{ ServiceName: 'web' }],
    });
    await world.runTasks('web');
    await world.startController();
    await eventually(
      'the SecretID repaired',
      async () => (await world.serviceTokens())[0]?.SecretID === IDS.token,
    );
    await world.consul('PUT', `/v1/acl/token/${IDS.accessor_id}`, {
      AccessorID: IDS.accessor_id,
      Description: `Token for web service\nconsul.hashicorp.com/cluster: ${world.cluster}`,
      ServiceIdentities: [{ ServiceName: 'web' }, { ServiceName: 'db' }],
    });
    await eventually('the identities reset', async () => {
      const [token] = await world.serviceTokens();
      return token?.ServiceIdentities?.length === 1 && token.SecretID === IDS.token;
    });
  });

  it("never touches another cluster's tokens, even one whose name contains ours (hazard 1)", async () => {
    const { json: other } = await world.consul<{ AccessorID: string }>('PUT', '/v1/acl/token', {
      Description: `Token for web service\nconsul.hashicorp.com/cluster: ${world.cluster}-2`,
      ServiceIdentities: [{ ServiceName: 'web' }],
    });
    const { json: unowned } = await world.consul<{ AccessorID: string }>('PUT', '/v1/acl/token', {
      Description: 'Token for web service',
      ServiceIdentities: [{ ServiceName: 'web' }],
    });
    await world.createServiceSecret('api');
    await world.runTasks('api');
    const callsBefore = world.consulServer.calls.all().length;
    await world.startController();
    await eventually('a token for api', async () =>
      (await world.serviceTokens()).some((token) => token.ServiceIdentities?.[0].ServiceName === 'api'),
    );
    // With grace 0, a wrongly claimed "web" token would have been deleted by now; wait for resyncs.
    await eventually(
      'two resyncs (the ECS informer relists only on resync)',
      async () => world.ecsServer.calls.count('ListTasks') >= 3,
    );
    const left = (await world.serviceTokens()).map((token) => token.AccessorID);
    expect(left).to.include.members([other.AccessorID, unowned.AccessorID]);
    const touched = world.consulServer.calls
      .all()
      .slice(callsBefore)
      .filter((call) => call.resource === other.AccessorID || call.resource === unowned.AccessorID);
    expect(touched, 'no call named a foreign token').to.deep.equal([]);
  });

  it('gives a secret that names a foreign token new IDs instead of touching that token', async () => {
    const { json: foreign } = await world.consul<{ AccessorID: string; SecretID: string }>(
      'PUT',
      '/v1/acl/token',
      {
        Description: 'someone else',
        ServiceIdentities: [{ ServiceName: 'web' }],
      },
    );
    await world.createServiceSecret(
      'web',
      JSON.stringify({ accessor_id: foreign.AccessorID, token: foreign.SecretID }),
    );
    await world.runTasks('web');
    const controller = await world.startController();
    const token = await eventually('our own token', async () =>
      (await world.serviceTokens()).find((t) => t.Description.includes('cluster: prod')),
    );
    expect(token.AccessorID).to.not.equal(foreign.AccessorID);
    expect((await world.consul('GET', `/v1/acl/token/${foreign.AccessorID}`)).status).to.equal(200);
    expect(await controller.metrics()).to.match(
      /acl_controller_errors_total\{cluster="[^"]+",kind="foreign_token_conflict"\} 1/,
    );
  });

  it('skips a service whose name Consul would reject, with an error and a metric, and serves the others', async () => {
    await world.createServiceSecret('web');
    await world.runTasks('Bad_Name');
    await world.runTasks('web');
    const controller = await world.startController();
    await eventually('a token for web', async () => (await world.serviceTokens()).length === 1);
    const metrics = await eventually('the invalid-name metric', async () => {
      const text = await controller.metrics();
      return /acl_controller_errors_total\{cluster="[^"]+",kind="invalid_service_name"\} [1-9]/.test(text)
        ? text
        : undefined;
    });
    expect(metrics).to.match(
      /controller_runtime_terminal_reconcile_errors_total\{controller="service-token"\} [1-9]/,
    );
    expect(
      controller.logs.some((line) => line.includes('is not a valid Consul service identity name')),
    ).to.equal(true);
  });
});
