// Drop-in under upstream's IAM (issue 14), through the real CLI: envtest ECS and Secrets Manager
// enforce (a) the task-role statements of terraform-aws-consul-ecs v0.4.3's acl-controller module
// (test/fixtures/iam/) and (b) our config/iam policy. Under both, running tasks get their tokens;
// under (a) pre-provisioning reports itself off (one warning naming the missing permission, the
// feature metric at 0) and an ECS service with no task yet waits for its first task.
import { CreateServiceCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type PolicyDocument } from '../../envtest/aws/iam/policy.js';
import { type ConsulServer, startConsulServer } from '../../envtest/consul/server.js';
import { type EcsServer, startEcsServer } from '../../envtest/ecs/server.js';
import { type SecretsManagerServer, startSecretsManagerServer } from '../../envtest/secretsmanager/server.js';
import { fillPlaceholders } from '../deploy/iam-eval.js';
import { REPO } from '../deploy/tools.js';
import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';
import { type ControllerProcess, spawnController } from './cli-process.js';
import { AclWorld, envtestBackends, eventually, MESH } from './world.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CLUSTER = 'prod';
const PREFIX = 'test';

function upstreamPolicy(): PolicyDocument {
  const text = readFileSync(
    join(REPO, 'test/fixtures/iam/terraform-aws-consul-ecs-v0.4.3-acl-controller-task-role.json'),
    'utf8',
  );
  return JSON.parse(fillPlaceholders(text, { region: REGION, name_prefix: PREFIX })) as PolicyDocument;
}

function ourPolicy(clientSecretArn: string): PolicyDocument {
  const text = readFileSync(join(REPO, 'config/iam/controller-policy.json'), 'utf8');
  const filled = fillPlaceholders(text, {
    region: REGION,
    account: ACCOUNT,
    cluster: CLUSTER,
    secret_name_prefix: PREFIX,
    client_secret_arn: clientSecretArn,
    events_queue_arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${PREFIX}-ecs-task-events`,
  });
  return JSON.parse(filled) as PolicyDocument;
}

describe('the real CLI under IAM (envtest enforcing it)', function () {
  this.timeout(60_000);
  let ecs: EcsServer;
  let sm: SecretsManagerServer;
  let consul: ConsulServer;
  let world: AclWorld;
  let controller: ControllerProcess | undefined;

  beforeEach(async () => {
    [ecs, sm, consul] = await Promise.all([
      startEcsServer({ region: REGION, accountId: ACCOUNT }),
      startSecretsManagerServer({ region: REGION, accountId: ACCOUNT }),
      startConsulServer(),
    ]);
    world = await AclWorld.attach(envtestBackends({ ecs, secretsManager: sm, consul }), {
      cluster: CLUSTER,
      prefix: PREFIX,
    });
    await world.createServiceSecret('web');
    await world.createServiceSecret('api');
    await world.runTasks('web');
    // A mesh ECS service with no task yet: only pre-provisioning gives it a token now.
    await world.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'api',
        tags: [MESH],
        containerDefinitions: [{ name: 'app', image: 'app:latest', memory: 64 }],
      }),
    );
    await world.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: 'api',
        taskDefinition: 'api',
        desiredCount: 0,
      }),
    );
  });

  afterEach(async () => {
    controller?.child.kill('SIGKILL');
    await controller?.exited;
    controller = undefined;
    await world.close();
    await Promise.all([ecs.close(), sm.close(), consul.close()]);
  });

  const enforce = (policy: PolicyDocument) => {
    ecs.iam.setPolicies(CONTROLLER_ACCESS_KEY_ID, policy);
    sm.iam.setPolicies(CONTROLLER_ACCESS_KEY_ID, policy);
  };
  const tokenOf = async (service: string) =>
    (await world.ownServiceTokens()).find((token) => token.ServiceIdentities?.[0]?.ServiceName === service);

  it("under upstream v0.4.3's task role: running tasks get tokens; pre-provisioning reports itself off", async () => {
    enforce(upstreamPolicy());
    controller = spawnController(world, ['-resync-interval', '1s']);
    await eventually('the token of the running service', () => tokenOf('web'));
    await controller.metricsMatching(
      /^acl_controller_feature_enabled\{cluster="prod",feature="pre_provisioning"\} 0$/m,
      'pre-provisioning reported off',
    );
    await controller.metricsMatching(
      /^acl_controller_client_token_ready\{cluster="prod"\} 1$/m,
      'the client token',
    );
    const warnings = controller
      .output()
      .split('\n')
      .filter((line) => line.includes('pre-provisioning is off'));
    expect(warnings, 'one warning, not one per resync').to.have.length(1);
    expect(warnings[0]).to.match(
      /"missingPermission":"ecs:(ListServices|DescribeServices|DescribeTaskDefinition)"/,
    );
    const lists = ecs.calls.count('ListTasks');
    await eventually('two more relists', async () => ecs.calls.count('ListTasks') >= lists + 2);
    expect(await tokenOf('api'), 'no task, no pre-provisioning: no token yet').to.equal(undefined);
    const denied = [...ecs.calls.all(), ...sm.calls.all()].filter(
      (call) => call.principal === CONTROLLER_ACCESS_KEY_ID && call.error === 'AccessDeniedException',
    );
    expect(denied.map((call) => call.operation)).to.not.include.members([
      'UpdateSecret',
      'GetSecretValue',
      'ListTasks',
      'DescribeTasks',
    ]);
  });

  it('under our config/iam policy: running tasks get tokens and pre-provisioning is on', async () => {
    enforce(ourPolicy(world.clientSecretArn));
    controller = spawnController(world, ['-resync-interval', '1s']);
    await eventually('the token of the running service', () => tokenOf('web'));
    await eventually('the token of the service with no task yet', () => tokenOf('api'));
    const text = await controller.metricsMatching(
      /^acl_controller_feature_enabled\{cluster="prod",feature="pre_provisioning"\} 1$/m,
      'pre-provisioning on',
    );
    expect(text).to.not.match(/code="AccessDeniedException"/);
  });
});
