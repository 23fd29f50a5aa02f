/**
 * The task role config/terraform/controller renders (terraform console), enforced by the envtest
 * ECS server on a real `ecs-acl-controller controller` process: with it, the controller lists and
 * describes its cluster's tasks and removes a stopped task's login token, whether task metadata
 * names the cluster by ARN (Fargate) or by name (EC2), with no call denied; with the role of
 * another cluster, its ECS reads are denied and the token stays.
 */
import { expect } from 'chai';

import { type PolicyDocument } from '../../envtest/aws/iam/policy.js';
import { type ControllerProcess, spawnIamController } from '../acl/cli-process.js';
import { AclWorld, eventually } from '../acl/world.js';
import { CONTROLLER_ACCESS_KEY_ID } from '../helpers/aws-actions.js';
import { moduleControllerConfig } from '../helpers/consul-ecs/run-consul-ecs-controller.js';
import { startTaskMetadataStub, type TaskMetadataStub } from '../helpers/consul-ecs/task-metadata-stub.js';
import { evaluateOne, REQUIRED_INPUTS } from './terraform-console.js';

const ACCOUNT = '123456789012';
const arnOf = (cluster: string) => `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${cluster}`;

describe('Terraform module controller: its task role enforced by envtest on the real controller', function () {
  this.timeout(60_000);
  let world: AclWorld | undefined;
  let stub: TaskMetadataStub | undefined;
  let controller: ControllerProcess | undefined;

  afterEach(async () => {
    controller?.child.kill('SIGKILL');
    await controller?.exited;
    await stub?.close();
    await world?.close();
    [controller, stub, world] = [undefined, undefined, undefined];
  });

  /** A world whose ECS enforces the module's task role for `roleCluster`, the controller started on it. */
  async function start(
    context: Mocha.Context,
    roleCluster: string,
    metadataCluster: (arn: string) => string,
  ) {
    const policy = await evaluateOne<PolicyDocument>(
      context,
      { ...REQUIRED_INPUTS, ecs_cluster_arn: arnOf(roleCluster) },
      'local.task_policy',
    );
    const started = await AclWorld.start({
      ecs: { accountId: ACCOUNT, iam: { policies: { [CONTROLLER_ACCESS_KEY_ID]: policy } } },
    });
    world = started;
    const [, stopping] = await started.runTasks('web', 2);
    const taskId = (stopping as string).split('/').pop() as string;
    const meta = {
      'consul.hashicorp.com/cluster': arnOf(started.cluster),
      'consul.hashicorp.com/task-id': taskId,
    };
    const token = (
      await started.consul<{ AccessorID: string }>('PUT', '/v1/acl/token', {
        Description: `token created via login: ${JSON.stringify(meta)}`,
        ServiceIdentities: [{ ServiceName: 'web' }],
      })
    ).json.AccessorID;
    stub = await startTaskMetadataStub({
      cluster: metadataCluster(arnOf(started.cluster)),
      accountId: ACCOUNT,
    });
    controller = spawnIamController(
      started,
      stub.url,
      moduleControllerConfig({ consulHttpUrl: started.backends.consulUrl, grpcPort: 8502 }),
      ['-gc-grace-period', '0', '-resync-interval', '1s', '-listen-addr', '127.0.0.1:0'],
    );
    await started.stopTasks([stopping as string]);
    return { started, token };
  }

  const ecsCalls = (metrics: string) =>
    [...metrics.matchAll(/^external_api_requests_total\{([^}]*service="ecs"[^}]*)\} (\d+)/gm)].map(
      (match) => match[1] as string,
    );

  for (const [form, metadataCluster] of [
    ['its ARN (Fargate)', (arn: string) => arn],
    ['its name (EC2)', (arn: string) => arn.split('/').pop() as string],
  ] as const) {
    it(`with metadata naming the cluster by ${form}: lists, describes and removes, nothing denied`, async function () {
      const { started, token } = await start(this, 'prod', metadataCluster);
      await eventually(
        "the stopped task's login token is deleted",
        async () => (await started.consul('GET', `/v1/acl/token/${token}`)).status !== 200 || undefined,
      );
      const metrics = await (controller as ControllerProcess).metricsMatching(
        /task_cleanup_removals_total\{[^}]*outcome="deleted"\} 1/,
        'the removal counted',
      );
      const calls = ecsCalls(metrics);
      expect(calls.some((labels) => /operation="ListTasks"/.test(labels))).to.equal(true);
      expect(calls.some((labels) => /operation="DescribeTasks"/.test(labels))).to.equal(true);
      expect(calls.filter((labels) => /AccessDenied/.test(labels))).to.deep.equal([]);
    });
  }

  it("with another cluster's role: ECS reads denied, the token kept", async function () {
    const { started, token } = await start(this, 'staging', (arn) => arn);
    const metrics = await (controller as ControllerProcess).metricsMatching(
      /external_api_requests_total\{[^}]*code="AccessDeniedException"[^}]*operation="ListTasks"|external_api_requests_total\{[^}]*operation="ListTasks"[^}]*code="AccessDeniedException"/,
      'a denied ListTasks',
    );
    expect(ecsCalls(metrics).some((labels) => /AccessDenied/.test(labels))).to.equal(true);
    expect((await started.consul('GET', `/v1/acl/token/${token}`)).status).to.equal(200);
  });
});
