// `ecs-acl-controller controller` through the real CLI on envtest (ECS, Consul): configured as
// terraform-aws-consul-ecs `modules/controller` configures consul-ecs v0.10 (CONSUL_ECS_CONFIG_JSON,
// CONSUL_HTTP_TOKEN, the cluster from task metadata), it deletes the login tokens and deregisters
// the catalog services of a task that stopped, and nothing else.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

import { expect } from 'chai';

import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';
import { moduleControllerConfig } from '../helpers/consul-ecs/run-consul-ecs-controller.js';
import { startTaskMetadataStub, type TaskMetadataStub } from '../helpers/consul-ecs/task-metadata-stub.js';
import { CLI, controllerEnv } from '../helpers/controller-cli.js';
import { AclWorld, eventually, useAclWorld } from './world.js';

const ACCOUNT = '123456789012';

describe('controller (the consul-ecs v0.10 command), through the real CLI', function () {
  this.timeout(60_000);
  let world: AclWorld;
  let stub: TaskMetadataStub | undefined;
  let child: ChildProcess | undefined;
  let output = '';
  useAclWorld((started) => (world = started));

  afterEach(async () => {
    if (child && child.exitCode === null) {
      const closed = new Promise((resolve) => child?.on('close', resolve));
      child.kill('SIGKILL');
      await closed;
    }
    child = undefined;
    await stub?.close();
    stub = undefined;
  });

  /** A Consul call with the management token; `body` is the JSON answer of a 200, else undefined. */
  const consul = async (method: string, path: string, body?: unknown) => {
    const { status, json } = await world.consul<Record<string, unknown> | null>(method, path, body);
    return { status, body: status === 200 ? json : undefined };
  };
  const createToken = async (description: string) =>
    (
      await consul('PUT', '/v1/acl/token', {
        Description: description,
        ServiceIdentities: [{ ServiceName: 'web' }],
      })
    ).body?.AccessorID as string;
  const tokenExists = async (id: string) => (await consul('GET', `/v1/acl/token/${id}`)).status === 200;
  const login = (cluster: string, taskId: string) =>
    `token created via login: ${JSON.stringify({ 'consul.hashicorp.com/cluster': cluster, 'consul.hashicorp.com/task-id': taskId })}`;

  function environment(config: unknown): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...controllerEnv({
        ecsUrl: world.backends.ecsUrl,
        secretsManagerUrl: world.backends.secretsManagerUrl,
        consulUrl: world.backends.consulUrl,
        consulToken: world.backends.managementToken,
        accessKeyId: CONTROLLER_ACCESS_KEY_ID,
        secretAccessKey: 'test',
      }),
      CONSUL_HTTP_ADDR: '',
      CONSUL_ECS_CONFIG_JSON: JSON.stringify(config),
      ...(stub ? { ECS_CONTAINER_METADATA_URI_V4: stub.url } : {}),
    };
  }

  /** Task metadata naming the world's cluster in ACCOUNT; returns the cluster's ARN. */
  const stubTaskMetadata = async () => {
    stub = await startTaskMetadataStub({ cluster: world.cluster, accountId: ACCOUNT });
    return `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${world.cluster}`;
  };

  /** CONSUL_ECS_CONFIG_JSON as the module renders it with TLS off, pointing at the world's Consul. */
  const moduleConfig = () =>
    moduleControllerConfig({
      consulHttpUrl: world.backends.consulUrl,
      grpcPort: 8502,
      skipServerWatch: false,
    });

  it("removes a stopped task's login tokens and services; keeps a running task's, another cluster's, non-login tokens and services without task-id", async () => {
    const clusterArn = await stubTaskMetadata();
    const [running, stopping] = await world.runTasks('web', 2);
    const id = (arn: string | undefined) => (arn as string).slice((arn as string).lastIndexOf('/') + 1);
    const tokens = {
      running: await createToken(login(clusterArn, id(running))),
      stopping: await createToken(login(clusterArn, id(stopping))),
      stoppingByName: await createToken(login(world.cluster, id(stopping))),
      otherCluster: await createToken(login(`${clusterArn}-blue`, id(stopping))),
      notLogin: await createToken(`Token for ${id(stopping)}`),
    };
    // The services consul-ecs v0.7+ tasks register on the cluster's synthetic node (named by the ARN).
    const register = (serviceId: string, meta: Record<string, string>) =>
      consul('PUT', '/v1/catalog/register', {
        Node: clusterArn,
        Address: '10.0.0.1',
        Service: { ID: serviceId, Service: 'web', Meta: meta },
      });
    await register('web-running', { 'task-id': id(running) });
    await register('web-stopping', { 'task-id': id(stopping) });
    await register('web-no-meta', {});
    const nodeServices = async () =>
      Object.keys(
        ((await consul('GET', `/v1/catalog/node/${encodeURIComponent(clusterArn)}`)).body?.Services ??
          {}) as object,
      ).sort();
    expect(await nodeServices()).to.deep.equal(['web-no-meta', 'web-running', 'web-stopping']);
    child = spawn(
      process.execPath,
      [CLI, 'controller', '-gc-grace-period', '0', '-resync-interval', '1s', '-listen-addr', '127.0.0.1:0'],
      { env: environment(moduleConfig()), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually('the controller is ready', () => output.includes('ops server listening'));
    await world.stopTasks([stopping as string]);
    await eventually(
      'the stopped task’s login tokens are gone',
      async () => !(await tokenExists(tokens.stopping)),
    );
    await eventually('both of them', async () => !(await tokenExists(tokens.stoppingByName)));
    await eventually('the stopped task’s service is deregistered', async () => {
      const left = await nodeServices();
      return left.length === 2 && !left.includes('web-stopping');
    });
    expect(await nodeServices()).to.deep.equal(['web-no-meta', 'web-running']);
    const opsUrl = /"url":"(http:[^"]+)"/.exec(output)?.[1] as string;
    const removed = (controller: string, n: number) =>
      new RegExp(
        `task_cleanup_removals_total\\{cluster="[^"]+",controller="${controller}",outcome="deleted"\\} ${n}`,
      );
    const metrics = await eventually('the metrics', async () => {
      const text = await (await fetch(`${opsUrl}/metrics`)).text();
      return removed('login-token-gc', 2).test(text) && removed('catalog-cleanup', 1).test(text)
        ? text
        : undefined;
    });
    expect(metrics).to.match(/informer_synced\{informer="consul-login-tokens"\} 1/);
    expect(metrics).to.match(/informer_synced\{informer="consul-catalog-services"\} 1/);
    for (const kept of [tokens.running, tokens.otherCluster, tokens.notLogin])
      expect(await tokenExists(kept)).to.equal(true);
    expect(output).not.to.include(world.backends.managementToken);
  });

  it('keeps the Consul objects IAM login needs, as consul-ecs v0.10 makes them, and repairs a deleted auth method or binding rule within a resync', async () => {
    const clusterArn = await stubTaskMetadata();
    // Another cluster's controller already trusts its own roles: kept, with our principal added.
    await consul('PUT', '/v1/acl/auth-method', {
      Name: 'iam-ecs-service-token',
      Type: 'aws-iam',
      Config: {
        BoundIAMPrincipalARNs: ['arn:aws:iam::999999999999:role/other/app'],
        EnableIAMEntityDetails: false,
      },
    });
    child = spawn(
      process.execPath,
      [CLI, 'controller', '-resync-interval', '1s', '-listen-addr', '127.0.0.1:0'],
      {
        env: environment(moduleConfig()),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    type Rule = { ID: string; BindType: string; BindName: string; Selector: string };
    const rules = async () =>
      ((await fetch(`${world.backends.consulUrl}/v1/acl/binding-rules?authmethod=iam-ecs-service-token`, {
        headers: { 'X-Consul-Token': world.backends.managementToken },
      }).then((r) => r.json())) as Rule[] | null) ?? [];
    await eventually('four binding rules', async () => (await rules()).length === 4 || undefined);
    const method = (await consul('GET', '/v1/acl/auth-method/iam-ecs-service-token')).body as {
      Config: Record<string, unknown>;
    };
    expect(method.Config).to.deep.equal({
      BoundIAMPrincipalARNs: [
        `arn:aws:iam::${ACCOUNT}:role/consul-ecs/*`,
        'arn:aws:iam::999999999999:role/other/app',
      ],
      EnableIAMEntityDetails: true,
      IAMEntityTags: [
        'consul.hashicorp.com.gateway-kind',
        'consul.hashicorp.com.namespace',
        'consul.hashicorp.com.service-name',
      ],
    });
    expect((await rules()).map((rule) => `${rule.BindType} ${rule.BindName}`).sort()).to.deep.equal([
      'role consul-ecs-api-gateway-role',
      'role consul-ecs-mesh-gateway-role',
      'role consul-ecs-terminating-gateway-role',
      'service ${entity_tags.consul.hashicorp.com.service-name}',
    ]);
    for (const role of [
      'consul-ecs-api-gateway-role',
      'consul-ecs-mesh-gateway-role',
      'consul-ecs-terminating-gateway-role',
    ])
      expect((await consul('GET', `/v1/acl/role/name/${role}`)).status, role).to.equal(200);
    // The anonymous token is linked after the binding rules are written (the reconciler's order):
    // wait for it too.
    const anonymousLinks = async () =>
      (
        (await consul('GET', '/v1/acl/token/00000000-0000-0000-0000-000000000002')).body as {
          Policies?: { Name: string }[];
        }
      ).Policies?.map((link) => link.Name) ?? [];
    await eventually(
      'the anonymous policy linked',
      async () => (await anonymousLinks()).includes('anonymous-token-policy') || undefined,
    );
    // The synthetic node is registered last.
    const node = await eventually(
      'the synthetic node',
      async () =>
        ((await consul('GET', `/v1/catalog/node/${encodeURIComponent(clusterArn)}`)).body ?? undefined) as
          { Node: { Meta: Record<string, string> } } | undefined,
    );
    expect(node.Node.Meta['synthetic-node']).to.equal('true');

    // Deleted out of band: back within a resync.
    const [first] = await rules();
    await consul('DELETE', `/v1/acl/binding-rule/${first!.ID}`);
    await eventually('the binding rule recreated', async () => (await rules()).length === 4 || undefined);
    await consul('DELETE', '/v1/acl/auth-method/iam-ecs-service-token');
    await eventually(
      'the auth method and its rules recreated',
      async () => (await rules()).length === 4 || undefined,
    );
  });

  /** Starts `controller` with `-resync-interval <resync>`; resolves with its ops URL once listening. */
  async function startController(resync: string): Promise<string> {
    child = spawn(
      process.execPath,
      [CLI, 'controller', '-resync-interval', resync, '-listen-addr', '127.0.0.1:0'],
      {
        env: environment(moduleConfig()),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return eventually('the ops server', () => /"url":"(http:[^"]+)"/.exec(output)?.[1]);
  }
  /** The sum of `external_api_requests_total` samples whose labels match `labels`. */
  const apiCalls = async (opsUrl: string, labels: RegExp) =>
    (await (await fetch(`${opsUrl}/metrics`)).text())
      .split('\n')
      .filter((line) => line.startsWith('external_api_requests_total{') && labels.test(line))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  const ruleCount = async () =>
    (
      (await consul('GET', '/v1/acl/binding-rules?authmethod=iam-ecs-service-token')).body as unknown as
        { ID: string }[] | undefined
    )?.length ?? 0;
  const changes = async (opsUrl: string, change: string) => {
    const line = (await (await fetch(`${opsUrl}/metrics`)).text())
      .split('\n')
      .find((l) => l.startsWith('consul_resources_changes_total{') && l.includes(`change="${change}"`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it('repairs a deleted binding rule, auth method, anonymous-policy link and synthetic node from its blocking-query watches, long before its safety-net recheck', async () => {
    const clusterArn = await stubTaskMetadata();
    // A 30 s resync: the unprompted recheck comes only after 10 resyncs (300 s); a repair within
    // the bounds below can only come from a watch.
    const opsUrl = await startController('30s');
    await eventually(
      'the synthetic node registered',
      async () => (await changes(opsUrl, 'node_registered')) === 1,
    );
    await eventually('four binding rules', async () => (await ruleCount()) === 4);
    const [first] = (await consul('GET', '/v1/acl/binding-rules?authmethod=iam-ecs-service-token'))
      .body as unknown as { ID: string }[];
    await consul('DELETE', `/v1/acl/binding-rule/${first!.ID}`);
    await eventually(
      'the binding rule recreated by its watch',
      async () => (await changes(opsUrl, 'binding_rule_created')) === 5 && (await ruleCount()) === 4,
      10_000,
    );
    await consul('DELETE', '/v1/acl/auth-method/iam-ecs-service-token');
    await eventually(
      'the auth method and its rules recreated by their watches',
      async () => (await changes(opsUrl, 'auth_method_created')) === 2 && (await ruleCount()) === 4,
      10_000,
    );
    // The anonymous token and the catalog move with every login and registration: their watches
    // read at most every 5 s, so these repairs may take that long.
    const anonymous = '/v1/acl/token/00000000-0000-0000-0000-000000000002';
    await consul('PUT', anonymous, { Description: 'Anonymous Token', Policies: [] });
    await eventually(
      'the anonymous policy linked again',
      async () => (await changes(opsUrl, 'anonymous_token_repaired')) === 1,
      15_000,
    );
    await consul('PUT', '/v1/catalog/deregister', { Node: clusterArn });
    await eventually(
      'the synthetic node registered again',
      async () => (await changes(opsUrl, 'node_registered')) === 2,
      15_000,
    );
  });

  it('reads Consul only when a watch reports a change: nothing changing over five resyncs costs at most one safety-net pass', async () => {
    stub = await startTaskMetadataStub({ cluster: world.cluster, accountId: ACCOUNT });
    const opsUrl = await startController('1s');
    await eventually(
      'the synthetic node registered',
      async () => (await changes(opsUrl, 'node_registered')) === 1,
    );
    const relists = () => apiCalls(opsUrl, /service="ecs",operation="ListTasks"/);
    const consulCalls = () => apiCalls(opsUrl, /service="consul"/);
    // Settled: the reconcile its own writes triggered has run (two ECS relists without a Consul call).
    const settled = await eventually(
      'Consul quiet for two resyncs',
      async () => {
        const before = { relists: await relists(), consul: await consulCalls() };
        await eventually('two relists', async () => (await relists()) >= before.relists + 2, 5_000);
        return (await consulCalls()) === before.consul ? before : undefined;
      },
      30_000,
    );
    const start = { relists: await relists(), consul: await consulCalls() };
    await eventually(
      'five more resyncs (ECS relists)',
      async () => (await relists()) >= start.relists + 5,
      15_000,
    );
    const reads = (await consulCalls()) - start.consul;
    // Before the watches: 11 reads every resync (55 here). Now: none, or one recheck of 11 reads
    // when the 10-resync safety net falls in the window.
    expect(reads, `Consul calls over five resyncs (settled at ${settled.consul})`).to.be.at.most(11);
  });

  it('with consulLogin and no CONSUL_HTTP_TOKEN logs in with the task role, does its job with that token, and logs out on SIGTERM', async () => {
    const clusterArn = await stubTaskMetadata();
    // The servers' side, made by whoever bootstrapped Consul: the method, a role for controllers
    // with the rights they need, and a rule binding it by the role's service-name tag.
    await consul('PUT', '/v1/acl/auth-method', {
      Name: 'iam-ecs-service-token',
      Type: 'aws-iam',
      Config: {
        BoundIAMPrincipalARNs: [`arn:aws:iam::${ACCOUNT}:role/consul-ecs/*`],
        EnableIAMEntityDetails: true,
        IAMEntityTags: ['consul.hashicorp.com.service-name'],
      },
    });
    await consul('PUT', '/v1/acl/role', {
      Name: 'ecs-controller',
      Policies: [{ ID: '00000000-0000-0000-0000-000000000001' }],
    });
    await consul('PUT', '/v1/acl/binding-rule', {
      AuthMethod: 'iam-ecs-service-token',
      Selector: 'entity_tags["consul.hashicorp.com.service-name"] == "consul-ecs-controller"',
      BindType: 'role',
      BindName: 'ecs-controller',
    });
    // What STS would say of the task role (envtest maps the signing access key to it).
    world.consulServer.addIamIdentity(`access-key:${CONTROLLER_ACCESS_KEY_ID}`, {
      arn: `arn:aws:iam::${ACCOUNT}:role/consul-ecs/controller`,
      accountId: ACCOUNT,
      entityName: 'controller',
      entityPath: '/consul-ecs/',
      entityId: 'AROACONTROLLER',
      tags: { 'consul.hashicorp.com.service-name': 'consul-ecs-controller' },
    });
    const [stopping] = await world.runTasks('web', 1);
    const id = (stopping as string).slice((stopping as string).lastIndexOf('/') + 1);
    const left = await createToken(login(clusterArn, id));
    const config = { ...moduleConfig(), consulLogin: { enabled: true, includeEntity: false } };
    child = spawn(
      process.execPath,
      [CLI, 'controller', '-gc-grace-period', '0', '-resync-interval', '1s', '-listen-addr', '127.0.0.1:0'],
      { env: { ...environment(config), CONSUL_HTTP_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually('the controller is ready', () => output.includes('ops server listening'));
    const ownTokens = async () =>
      ((await consul('GET', '/v1/acl/tokens?authmethod=iam-ecs-service-token')).body as unknown as
        { AccessorID: string; Description: string }[] | undefined) ?? [];
    const own = await eventually('its own login token', async () => (await ownTokens())[0]);
    expect(own.Description).to.include(`"consul.hashicorp.com/cluster":"${world.cluster}"`);
    await world.stopTasks([stopping as string]);
    await eventually(
      'the stopped task’s login token removed with the login token',
      async () => !(await tokenExists(left)),
    );
    const closed = new Promise((resolve) => child?.on('close', resolve));
    child.kill('SIGTERM');
    await closed;
    expect(output).to.include('consulLogin: logged out');
    expect(await tokenExists(own.AccessorID)).to.equal(false);
    expect(output).not.to.include(world.backends.managementToken);
  });

  it('exits 1 naming the method when the consulLogin login is refused (no such auth method)', async () => {
    stub = await startTaskMetadataStub({ cluster: world.cluster, accountId: ACCOUNT });
    const env = {
      ...environment({ ...moduleConfig(), consulLogin: { enabled: true, includeEntity: false } }),
      CONSUL_HTTP_TOKEN: '',
    };
    child = spawn(process.execPath, [CLI, 'controller'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise((resolve) => child?.on('close', resolve));
    expect(status).to.equal(1);
    expect(stderr).to.include('consulLogin: logging in with auth method "iam-ecs-service-token" failed');
    expect(stderr).to.include('auth method "iam-ecs-service-token" not found');
  });

  it('exits 2 naming the field when CONSUL_ECS_CONFIG_JSON is wrong, before contacting anything', () => {
    const config = { ...moduleConfig(), consulServers: { hosts: 'h', http: { port: 'eighty' } } };
    const result = spawnSync(process.execPath, [CLI, 'controller'], {
      encoding: 'utf8',
      env: environment(config),
      timeout: 20_000,
    });
    expect(result.status).to.equal(2);
    expect(result.stderr).to.include(
      'CONSUL_ECS_CONFIG_JSON: consulServers.http.port must be an integer from 1 to 65535',
    );
  });
});
