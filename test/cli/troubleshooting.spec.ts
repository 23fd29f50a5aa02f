/**
 * The README's Troubleshooting rows about a wrong deployment, through the real CLI on envtest
 * servers: what the controller logs and serves when its Consul token does not exist
 * (`ACL not found`), and when AWS answers AccessDenied, as in front of a task role that lacks a
 * permission. The AccessDenied answers come from a loopback proxy in front of the envtest ECS
 * server that refuses the named operations with AWS's error shape and wording; everything else
 * passes through.
 */
import { expect } from 'chai';
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

import { startConsulServer, type ConsulServer } from '../../src/envtest/consul/server.js';
import { type EcsServer, startEcsServer } from '../../src/envtest/ecs/server.js';
import {
  type SecretsManagerServer,
  startSecretsManagerServer,
} from '../../src/envtest/secretsmanager/server.js';
import { type ControllerProcess, spawnController } from '../acl/cli-process.js';
import { AclWorld, eventually } from '../acl/world.js';

/** An ECS endpoint that answers AccessDeniedException for `denied` operations. */
async function denyingProxy(target: string, denied: ReadonlySet<string>): Promise<Server> {
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const operation = String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (denied.has(operation)) {
      incoming.resume();
      const action = `ecs:${operation}`;
      outgoing.writeHead(400, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': 'AccessDeniedException',
      });
      outgoing.end(
        JSON.stringify({
          __type: 'AccessDeniedException',
          message: `User: arn:aws:sts::123456789012:assumed-role/prod-consul-acl-controller-task/0123 is not authorized to perform: ${action} on resource: * because no identity-based policy allows the ${action} action`,
        }),
      );
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('Troubleshooting (README): a wrong deployment, through the real CLI', function () {
  this.timeout(60_000);
  let ecs: EcsServer;
  let secretsManager: SecretsManagerServer;
  let consul: ConsulServer;
  let proxy: Server | undefined;
  let world: AclWorld | undefined;
  let controller: ControllerProcess | undefined;

  before(async () => {
    [ecs, secretsManager, consul] = await Promise.all([
      startEcsServer(),
      startSecretsManagerServer(),
      startConsulServer({ version: '1.15' }),
    ]);
  });

  afterEach(async () => {
    if (controller && controller.child.exitCode === null) {
      controller.child.kill('SIGKILL');
      await controller.exited;
    }
    controller = undefined;
    await world?.close();
    world = undefined;
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    proxy = undefined;
  });

  after(async () => {
    await Promise.all([ecs.close(), secretsManager.close(), consul.close()]);
  });

  async function attach(ecsUrl = ecs.url): Promise<AclWorld> {
    world = await AclWorld.attach({
      name: 'envtest',
      ecsUrl,
      secretsManagerUrl: secretsManager.url,
      consulUrl: consul.url,
      managementToken: consul.managementToken,
    });
    return world;
  }

  const readyz = async (url: string) => {
    const response = await fetch(`${url}/readyz`);
    return { status: response.status, body: await response.text() };
  };

  it('a Consul token that does not exist: `HTTP 403: ACL not found` warnings, /readyz 503 on the Consul informers', async () => {
    const w = await attach();
    controller = spawnController(w, [], { CONSUL_HTTP_TOKEN: '00000000-0000-4000-8000-000000000000' });
    const url = await controller.opsUrl();
    await eventually('the warning', () =>
      controller?.output().includes('consul acl.tokens.list: HTTP 403: ACL not found') ? true : undefined,
    );
    expect(controller.output()).to.contain(
      '"msg":"informer list/watch failed; retrying","informer":"consul-tokens"',
    );
    const ready = await readyz(url);
    expect(ready.status).to.equal(503);
    expect(ready.body).to.match(/\[-\]informers failed: not synced: .*consul-tokens/);
  });

  it('AccessDenied on ecs:ListTasks: the warning names the permission, the metric counts it, /readyz 503', async () => {
    proxy = await denyingProxy(ecs.url, new Set(['ListTasks']));
    const w = await attach(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    controller = spawnController(w, []);
    const url = await controller.opsUrl();
    await eventually('the warning', () =>
      controller?.output().includes('is not authorized to perform: ecs:ListTasks') ? true : undefined,
    );
    expect(controller.output()).to.match(
      /"informer":"ecs-tasks","error":\{"name":"AccessDeniedException","message":"User: [^"]* is not authorized to perform: ecs:ListTasks/,
    );
    await controller.metricsMatching(
      /^external_api_requests_total\{service="ecs",operation="ListTasks",code="AccessDeniedException"\} [1-9]/m,
      'the AccessDenied count',
    );
    const ready = await readyz(url);
    expect(ready.status).to.equal(503);
    expect(ready.body).to.match(/not synced: .*ecs-tasks/);
  });

  it("under upstream's task role (no ecs:ListServices): pre-provisioning off with one warning and the gauge at 0; tasks still get tokens", async () => {
    proxy = await denyingProxy(
      ecs.url,
      new Set(['ListServices', 'DescribeServices', 'DescribeTaskDefinition']),
    );
    const w = await attach(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    await w.createServiceSecret('web');
    controller = spawnController(w, ['-resync-interval', '1s']);
    await controller.metricsMatching(
      new RegExp(
        `^acl_controller_feature_enabled\\{cluster="${w.cluster}",feature="pre_provisioning"\\} 0$`,
        'm',
      ),
      'pre-provisioning off',
    );
    await w.runTasks('web');
    const tokens = await eventually('the task-driven token', async () => {
      const own = await w.ownServiceTokens();
      return own.length === 1 ? own : undefined;
    });
    expect(tokens[0]?.Description).to.equal(
      `Token for web service\nconsul.hashicorp.com/cluster: ${w.cluster}`,
    );
    const warnings = controller
      .output()
      .split('\n')
      .filter((line) => line.includes('pre-provisioning is off'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('"missingPermission":"ecs:ListServices"');
  });
});
