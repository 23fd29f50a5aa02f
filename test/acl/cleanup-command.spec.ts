// `ecs-acl-controller cleanup` through the real CLI on envtest Consul: it removes what was made for
// one cluster (service, client and login tokens, v0.4 service policies, the client policy, the
// synthetic node with its services) and nothing of anyone else; -dry-run changes nothing.
import { spawn } from 'node:child_process';

import { expect } from 'chai';

import { clientTokenDescription, serviceDescription } from '../../controllers/domain/token-description.js';
import { CLI, controllerEnv } from '../helpers/controller-cli.js';
import { AclWorld, useAclWorld } from './world.js';

describe('cleanup, through the real CLI', function () {
  this.timeout(60_000);
  let world: AclWorld;
  useAclWorld((started) => (world = started));

  /** A Consul call with the management token; `body` is the JSON answer of a 200, else undefined. */
  const consul = async (method: string, path: string, body?: unknown) => {
    const { status, json } = await world.consul<Record<string, unknown> | null>(method, path, body);
    return { status, body: status === 200 ? json : undefined };
  };
  const token = async (Description: string, extra: Record<string, unknown> = {}) =>
    (
      await consul('PUT', '/v1/acl/token', {
        Description,
        ServiceIdentities: [{ ServiceName: 'web' }],
        ...extra,
      })
    ).body?.AccessorID as string;
  const policy = async (Name: string, Description: string) =>
    (
      await consul('PUT', '/v1/acl/policy', {
        Name,
        Description,
        Rules: 'node_prefix "" { policy = "read" }',
      })
    ).body?.ID as string;
  const exists = async (path: string) => {
    const { status, body } = await consul('GET', path);
    // A missing catalog node reads as 200 `null`, as in Consul.
    return status === 200 && body !== null;
  };
  /** Runs the CLI as a child without blocking this process (its envtest servers must answer). */
  const cleanup = (...flags: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'cleanup', ...flags], {
        env: controllerEnv({
          ecsUrl: world.backends.ecsUrl,
          secretsManagerUrl: world.backends.secretsManagerUrl,
          consulUrl: world.backends.consulUrl,
          consulToken: world.backends.managementToken,
          accessKeyId: 'a',
          secretAccessKey: 'b',
        }),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  it("removes one cluster's objects and nothing else; -dry-run only lists them", async () => {
    const arn = `arn:aws:ecs:us-east-1:123456789012:cluster/${world.cluster}`;
    const login = (cluster: string) =>
      `token created via login: ${JSON.stringify({ 'consul.hashicorp.com/cluster': cluster, 'consul.hashicorp.com/task-id': 'abc' })}`;
    const clientPolicyName = `${world.prefix}-consul-client-policy`;
    const ours = {
      service: await token(serviceDescription('Token', { name: 'web' }, world.cluster)),
      serviceByArn: await token(serviceDescription('Token', { name: 'api' }, arn)),
      login: await token(login(arn)),
      clientPolicy: await policy(clientPolicyName, 'client policy'),
      servicePolicy: await policy('web-policy', serviceDescription('Policy', { name: 'web' }, world.cluster)),
    };
    const client = await token(clientTokenDescription(world.cluster), {
      Policies: [{ Name: clientPolicyName }],
    });
    const theirs = {
      otherCluster: await token(serviceDescription('Token', { name: 'web' }, `${world.cluster}-blue`)),
      otherLogin: await token(login(`${arn}-blue`)),
      plain: await token('a token someone made'),
      otherPolicy: await policy('ops-policy', 'not ours'),
    };
    await consul('PUT', '/v1/catalog/register', {
      Node: arn,
      Address: '10.0.0.1',
      NodeMeta: { 'synthetic-node': 'true' },
      Service: { ID: 'web-abc', Service: 'web', Meta: { 'task-id': 'abc' } },
    });
    await consul('PUT', '/v1/catalog/register', { Node: 'a-real-node', Address: '10.0.0.2' });

    const dry = await cleanup('-cluster', arn, '-secret-name-prefix', world.prefix, '-dry-run');
    expect(dry.status, dry.stderr).to.equal(0);
    expect(dry.stdout).to.include('dry-run: 7 would be removed; nothing was changed');
    expect(dry.stdout).to.include(`would remove synthetic-node ${arn}`);
    for (const id of [ours.service, ours.login, client])
      expect(await exists(`/v1/acl/token/${id}`)).to.equal(true);

    const run = await cleanup('-cluster', arn, '-secret-name-prefix', world.prefix);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.include('7 removed, 0 skipped because they changed');
    for (const id of [ours.service, ours.serviceByArn, ours.login, client])
      expect(await exists(`/v1/acl/token/${id}`), id).to.equal(false);
    for (const id of [ours.clientPolicy, ours.servicePolicy])
      expect(await exists(`/v1/acl/policy/${id}`)).to.equal(false);
    expect(await exists(`/v1/catalog/node/${encodeURIComponent(arn)}`)).to.equal(false);
    for (const id of [theirs.otherCluster, theirs.otherLogin, theirs.plain])
      expect(await exists(`/v1/acl/token/${id}`), id).to.equal(true);
    expect(await exists(`/v1/acl/policy/${theirs.otherPolicy}`)).to.equal(true);
    expect(await exists('/v1/catalog/node/a-real-node')).to.equal(true);
    expect(run.stdout + run.stderr).not.to.include(world.backends.managementToken);
  });

  it("takes our principal out of the shared auth method, keeps other accounts' principals, and deletes the method only when it trusts ours alone and no other cluster of the account has a synthetic node", async () => {
    const account = '123456789012';
    const arn = `arn:aws:ecs:us-east-1:${account}:cluster/${world.cluster}`;
    const ours = `arn:aws:iam::${account}:role/consul-ecs/*`;
    const theirs = 'arn:aws:iam::999999999999:role/consul-ecs/*';
    const method = (principals: string[]) =>
      consul('PUT', '/v1/acl/auth-method/iam-ecs-service-token', {
        Name: 'iam-ecs-service-token',
        Type: 'aws-iam',
        Config: { BoundIAMPrincipalARNs: principals, EnableIAMEntityDetails: true },
      });
    const principals = async () =>
      (
        (await consul('GET', '/v1/acl/auth-method/iam-ecs-service-token')).body?.Config as
          { BoundIAMPrincipalARNs: string[] } | undefined
      )?.BoundIAMPrincipalARNs;
    const node = (name: string) =>
      consul('PUT', '/v1/catalog/register', {
        Node: name,
        Address: '10.0.0.3',
        NodeMeta: { 'synthetic-node': 'true' },
      });
    await consul('PUT', '/v1/acl/auth-method', {
      Name: 'iam-ecs-service-token',
      Type: 'aws-iam',
      Config: { BoundIAMPrincipalARNs: [ours, theirs], EnableIAMEntityDetails: true },
    });
    await node(arn);
    await node('arn:aws:ecs:us-east-1:999999999999:cluster/elsewhere');

    // Another account's cluster trusts its own principal: ours goes, theirs stays.
    let run = await cleanup('-cluster', arn);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.include(`removed auth-method-principal iam-ecs-service-token "trust of ${ours}"`);
    expect(await principals()).to.deep.equal([theirs]);

    // The method trusts ours alone, but another cluster of our account has a synthetic node: kept.
    await method([ours]);
    await node(arn);
    const sibling = `arn:aws:ecs:eu-west-1:${account}:cluster/sibling`;
    await node(sibling);
    run = await cleanup('-cluster', arn);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).not.to.include('auth-method');
    expect(await principals()).to.deep.equal([ours]);

    // With that cluster gone too, the method goes (dry-run first: nothing changes).
    await consul('PUT', '/v1/catalog/deregister', { Node: sibling });
    await node(arn);
    const dry = await cleanup('-cluster', arn, '-dry-run');
    expect(dry.stdout).to.include(`would remove auth-method iam-ecs-service-token "trusts only ${ours}"`);
    expect(await principals()).to.deep.equal([ours]);
    run = await cleanup('-cluster', arn);
    expect(run.stdout).to.include('removed auth-method iam-ecs-service-token');
    expect((await consul('GET', '/v1/acl/auth-method/iam-ecs-service-token')).status).to.not.equal(200);
  });

  it('refuses -partition without -partitions-enabled (exit 2)', async () => {
    const result = await cleanup('-cluster', 'c', '-partition', 'x');
    expect(result.status).to.equal(2);
    expect(result.stderr).to.include('flag -partition needs -partitions-enabled');
  });
});
