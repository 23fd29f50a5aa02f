// Both eras in one process, through the real CLI on envtest: `acl-controller` serves one cluster
// as consul-ecs v0.4's acl-controller does (service tokens in Secrets Manager) and, with
// -iam-auth-cluster, another as consul-ecs v0.10's controller does (login tokens and catalog
// services of stopped tasks removed). Neither era touches the other's cluster.
import { CreateClusterCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { type ControllerProcess, spawnController } from './cli-process.js';
import { AclWorld, eventually, MESH, useAclWorld } from './world.js';

const BLUE = 'blue';

describe('both eras in one process, through the real CLI', function () {
  this.timeout(60_000);
  let world: AclWorld;
  let controller: ControllerProcess | undefined;
  useAclWorld((started) => (world = started));

  afterEach(async () => {
    controller?.child.kill('SIGKILL');
    await controller?.exited;
    controller = undefined;
  });

  /** A Consul call with the management token; `body` is the JSON answer of a 200, else undefined. */
  const consul = async (method: string, path: string, body?: unknown) => {
    const { status, json } = await world.consul<Record<string, unknown> | null>(method, path, body);
    return { status, body: status === 200 ? json : undefined };
  };
  const loginToken = async (cluster: string, taskArn: string) => {
    const meta = {
      'consul.hashicorp.com/cluster': cluster,
      'consul.hashicorp.com/task-id': taskArn.slice(taskArn.lastIndexOf('/') + 1),
    };
    const created = await consul('PUT', '/v1/acl/token', {
      Description: `token created via login: ${JSON.stringify(meta)}`,
      ServiceIdentities: [{ ServiceName: 'api' }],
    });
    return created.body?.AccessorID as string;
  };
  const exists = async (accessorId: string) =>
    (await consul('GET', `/v1/acl/token/${accessorId}`)).status === 200;

  it('gives the v0.4 cluster its service token and cleans up after the v0.10 cluster’s stopped task, each only in its own cluster', async () => {
    await world.createServiceSecret('web');
    const [webTask] = await world.runTasks('web');
    await world.ecs.send(new CreateClusterCommand({ clusterName: BLUE }));
    const [blueRunning, blueStopping] = await world.runTasks('api', 2, [MESH], BLUE);
    const tokens = {
      blueRunning: await loginToken(BLUE, blueRunning as string),
      blueStopping: await loginToken(BLUE, blueStopping as string),
      // A login token in the v0.4 cluster of a task that is gone: that cluster is not served as v0.10.
      oldEraGone: await loginToken(world.cluster, `${webTask as string}-gone`),
    };
    controller = spawnController(world, [
      '-iam-auth-cluster',
      BLUE,
      '-resync-interval',
      '1s',
      '-gc-grace-period',
      '0',
    ]);
    await eventually(
      'the v0.4 cluster’s service token',
      async () => (await world.ownServiceTokens()).length === 1,
    );
    await world.ecs.send(new StopTaskCommand({ cluster: BLUE, task: blueStopping as string }));
    await eventually(
      'the v0.10 cluster’s stopped task’s login token is gone',
      async () => !(await exists(tokens.blueStopping)),
    );
    const metrics = await controller.metricsMatching(
      /task_cleanup_removals_total\{cluster="blue",controller="login-token-gc",outcome="deleted"\} 1/,
      'the removal counted',
    );
    expect(metrics).to.match(/informer_synced\{informer="ecs-tasks\/blue"\} 1/);
    expect(metrics).to.match(/informer_synced\{informer="ecs-tasks"\} 1/);
    expect(await exists(tokens.blueRunning)).to.equal(true);
    expect(await exists(tokens.oldEraGone)).to.equal(true);
    expect((await world.ownServiceTokens()).length).to.equal(1);
  });
});
