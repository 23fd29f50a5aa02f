// `ecs-acl-controller controller -events-queue-url`, through the real CLI on envtest (ECS
// publishing its task events to SQS, Consul): a stopped task's login token goes at its stop event
// and one confirming relist, long before the 10-minute safety-net relist; a new task's event alone
// makes its cache entry (no DescribeTasks), so its token is kept; forged and malformed messages
// on the queue remove nothing.
import { expect } from 'chai';

import { moduleControllerConfig } from '../helpers/consul-ecs/run-consul-ecs-controller.js';
import { startTaskMetadataStub, type TaskMetadataStub } from '../helpers/consul-ecs/task-metadata-stub.js';
import { type ControllerProcess, spawnIamController } from './cli-process.js';
import { type EventsWorld, startEventsWorld } from './events-world.js';
import { createLoginToken, loginTokenExists } from './login-tokens.js';
import { eventually } from './world.js';

const ACCOUNT = '123456789012';

describe('controller (the consul-ecs v0.10 command) with -events-queue-url, through the real CLI', function () {
  this.timeout(60_000);
  let env: EventsWorld;
  let stub: TaskMetadataStub;
  let controller: ControllerProcess | undefined;
  let clusterArn: string;

  beforeEach(async () => {
    env = await startEventsWorld();
    stub = await startTaskMetadataStub({ cluster: env.world.cluster, accountId: ACCOUNT });
    clusterArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${env.world.cluster}`;
  });
  afterEach(async () => {
    if (controller) {
      controller.child.kill('SIGKILL');
      await controller.exited;
    }
    controller = undefined;
    await stub.close();
    await env.close();
  });

  const start = (extra: readonly string[] = [], queueUrl = env.queueUrl) => {
    const config = moduleControllerConfig({
      consulHttpUrl: env.world.backends.consulUrl,
      grpcPort: 8502,
      skipServerWatch: false,
    });
    controller = spawnIamController(
      env.world,
      stub.url,
      config,
      ['-events-queue-url', queueUrl, '-gc-grace-period', '0', '-listen-addr', '127.0.0.1:0', ...extra],
      { AWS_ENDPOINT_URL_SQS: env.sqs.url },
    );
    return controller;
  };
  const ready = async (running: ControllerProcess) =>
    eventually('ready', async () => (await fetch(`${await running.opsUrl()}/readyz`)).status === 200);
  /** One running task with its login token, then the controller, ready. */
  const startWithLoggedInTask = async () => {
    const [task] = await env.world.runTasks('web', 1);
    const token = await createLoginToken(env.world, clusterArn, task as string);
    const running = start();
    await ready(running);
    return { task: task as string, token, running };
  };
  const ecsCalls = () => ({
    ListTasks: env.ecs.calls.count('ListTasks'),
    DescribeTasks: env.ecs.calls.count('DescribeTasks'),
  });

  it("removes a stopped task's login token at its stop event; a new task's event alone keeps its token, with no DescribeTasks", async () => {
    const { world } = env;
    const { task: first, token: firstToken, running } = await startWithLoggedInTask();
    // With events the full relist is a safety net: 10 minutes unless set.
    expect(running.output()).to.match(/"resyncIntervalMs":600000/);
    const atReady = ecsCalls();

    const [second] = await world.runTasks('web', 1);
    await running.metricsMatching(
      /^ecs_task_events_total\{result="applied"\} [1-9]/m,
      "the new task's event",
    );
    const secondToken = await createLoginToken(world, clusterArn, second as string);
    const afterRun = ecsCalls();
    expect(afterRun.DescribeTasks, 'the new task was not described').to.equal(atReady.DescribeTasks);

    await world.stopTasks([first]);
    await eventually(
      'the stopped task’s login token is gone',
      async () => !(await loginTokenExists(world, firstToken)),
    );
    // The absence was confirmed by one relist the cleanup asked for, not by the 10-minute one.
    expect(ecsCalls().ListTasks - afterRun.ListTasks).to.be.within(1, 2);
    expect(await loginTokenExists(world, secondToken), "the running task's token").to.equal(true);
    await running.metricsMatching(
      /task_cleanup_removals_total\{cluster="[^"]+",controller="login-token-gc",outcome="deleted"\} 1/,
      'the removal counted',
    );
  });

  it('removes nothing on forged stop events (another account’s cluster, or ours with no relist agreeing) and drops malformed messages', async () => {
    const { world } = env;
    const { token, running } = await startWithLoggedInTask();
    const queue = env.sqs.state.findQueue('task-events');
    if (!queue) throw new Error('no task-events queue');
    const published = JSON.parse(env.published.at(-1) as string) as {
      account: string;
      detail: Record<string, unknown>;
    };
    const stopped = (arn: string) =>
      JSON.stringify({
        ...published,
        detail: {
          ...published.detail,
          clusterArn: arn,
          desiredStatus: 'STOPPED',
          lastStatus: 'STOPPED',
          version: 99,
        },
      });
    // The hostile tenant can send to the queue: a stop of our running task, first from another
    // account's cluster of our name, then naming our cluster exactly, then garbage.
    env.sqs.state.sendMessage(queue, stopped(clusterArn.replace(ACCOUNT, '210987654321')));
    env.sqs.state.sendMessage(queue, stopped(clusterArn));
    env.sqs.state.sendMessage(queue, '{"detail-type":');
    await running.metricsMatching(
      /ecs_task_events_ignored_total\{reason="other_account_or_region"\} 1/,
      'the foreign event ignored',
    );
    await running.metricsMatching(
      /^ecs_task_events_total\{result="malformed"\} 1/m,
      'the malformed message dropped',
    );
    await running.metricsMatching(
      /^ecs_task_events_total\{result="applied"\} [1-9]/m,
      'the forged stop applied to the cache',
    );
    // The forged stop took the task out of the cache, but the relist it triggers finds it running.
    await running.metricsMatching(
      /informer_syncs_total\{informer="ecs-tasks",via="list"\} [2-9]/,
      'a confirming relist',
    );
    expect(await loginTokenExists(world, token)).to.equal(true);
    expect(running.output()).to.not.match(/removed the login token/);
    expect(running.child.exitCode).to.equal(null);
  });

  it('exits 2 naming the flag when -events-queue-url is not a URL', async () => {
    const running = start([], 'task-events');
    expect(await running.exited).to.equal(2);
    expect(running.output()).to.match(/flag -events-queue-url: "task-events" is not a URL/);
  });
});
