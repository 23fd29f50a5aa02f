/**
 * The README's Troubleshooting rows about a wrong deployment, through the real CLI on envtest
 * servers: what the controller logs and serves when its Consul token does not exist
 * (`ACL not found`), and when its task role lacks a permission: envtest ECS and Secrets Manager
 * enforce config/iam/controller-policy.json without its `ecs:ListTasks` statement. (Running under
 * upstream's task role, where pre-provisioning turns itself off, is test/acl/upstream-iam.spec.ts.)
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type PolicyDocument } from '../../envtest/aws/iam/policy.js';
import { startConsulServer, type ConsulServer } from '../../envtest/consul/server.js';
import { type EcsServer, startEcsServer } from '../../envtest/ecs/server.js';
import { type SecretsManagerServer, startSecretsManagerServer } from '../../envtest/secretsmanager/server.js';
import { fillPlaceholders } from '../deploy/iam-eval.js';
import { REPO } from '../deploy/tools.js';
import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';
import { type ControllerProcess, spawnController } from '../acl/cli-process.js';
import { AclWorld, envtestBackends, eventually } from '../acl/world.js';

/** config/iam/controller-policy.json for `world`, without the statements granting `action`. */
function policyWithout(world: AclWorld, action: string): PolicyDocument {
  const text = readFileSync(join(REPO, 'config/iam/controller-policy.json'), 'utf8');
  const policy = JSON.parse(
    fillPlaceholders(text, {
      region: 'us-east-1',
      account: '123456789012',
      cluster: world.cluster,
      secret_name_prefix: world.prefix,
      client_secret_arn: world.clientSecretArn,
      events_queue_arn: `arn:aws:sqs:us-east-1:123456789012:${world.prefix}-ecs-task-events`,
    }),
  ) as { Version: string; Statement: Array<{ Action: string | string[] }> };
  const grants = (statement: { Action: string | string[] }) =>
    ([] as string[]).concat(statement.Action).includes(action);
  const kept = policy.Statement.filter((statement) => !grants(statement));
  expect(kept.length, `a statement granted ${action}`).to.equal(policy.Statement.length - 1);
  return { ...policy, Statement: kept } as unknown as PolicyDocument;
}

describe('Troubleshooting (README): a wrong deployment, through the real CLI', function () {
  this.timeout(60_000);
  let ecs: EcsServer;
  let secretsManager: SecretsManagerServer;
  let consul: ConsulServer;
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
    ecs.iam.setPolicies(CONTROLLER_ACCESS_KEY_ID, undefined);
    secretsManager.iam.setPolicies(CONTROLLER_ACCESS_KEY_ID, undefined);
  });

  after(async () => {
    await Promise.all([ecs.close(), secretsManager.close(), consul.close()]);
  });

  async function attach(): Promise<AclWorld> {
    world = await AclWorld.attach(envtestBackends({ ecs, secretsManager, consul }));
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
    const w = await attach();
    const policy = policyWithout(w, 'ecs:ListTasks');
    ecs.iam.setPolicies(CONTROLLER_ACCESS_KEY_ID, policy);
    secretsManager.iam.setPolicies(CONTROLLER_ACCESS_KEY_ID, policy);
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
});
