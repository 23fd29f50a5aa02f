import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { type AclDeps, aclDepsId } from '../../controllers/adapters/acl-deps.js';
import { type EventsWorld, startEventsWorld } from './events-world.js';
import { AclWorld, eventually, MESH, type RunningController } from './world.js';

/** A mesh task definition whose container reads the service token from the secret, as ECS does. */
async function registerMeshTaskDefinition(world: AclWorld, family: string, secretArn: string): Promise<void> {
  await world.ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      tags: [MESH],
      containerDefinitions: [
        {
          name: 'mesh-init',
          image: 'consul-ecs:0.4',
          memory: 64,
          secrets: [{ name: 'CONSUL_HTTP_TOKEN', valueFrom: `${secretArn}:token::` }],
        },
      ],
    }),
  );
}

async function createService(world: AclWorld, name: string, desiredCount: number): Promise<void> {
  await world.ecs.send(
    new CreateServiceCommand({
      cluster: world.cluster,
      serviceName: name,
      taskDefinition: name,
      desiredCount,
      propagateTags: 'TASK_DEFINITION',
    }),
  );
}

describe('pre-provisioning and event-driven task updates, end to end', function () {
  this.timeout(40_000);
  let env: EventsWorld;

  beforeEach(async () => {
    env = await startEventsWorld();
  });
  afterEach(async () => {
    await env.close();
  });

  const start = (
    overrides: Parameters<AclWorld['startController']>[0],
    eventsWaitSeconds?: number,
  ): Promise<RunningController> =>
    env.world.startController(
      { resyncIntervalMs: 600_000, eventsQueueUrl: env.queueUrl, ...overrides },
      undefined,
      { sqsUrl: env.sqs.url, eventsWaitSeconds },
    );

  it('gives a mesh ECS service at desired count 0 its secret and token before any task; scaled to 2, both tasks start first time', async () => {
    const { world } = env;
    const secretArn = await world.createServiceSecret('web');
    await registerMeshTaskDefinition(world, 'web', secretArn);
    await createService(world, 'web', 0);
    await start({});
    const token = await eventually(
      'the token, with no task running',
      async () => (await world.serviceTokens())[0],
    );
    expect((await world.secretValue(secretArn)).token).to.equal(token.SecretID);
    expect(world.ecsServer.state.launchAttemptsOf('web')).to.deep.equal([]);

    await world.ecs.send(
      new UpdateServiceCommand({ cluster: world.cluster, service: 'web', desiredCount: 2 }),
    );
    await eventually('two running tasks', async () => {
      const described = await world.ecs.send(
        new DescribeServicesCommand({ cluster: world.cluster, services: ['web'] }),
      );
      return described.services?.[0]?.runningCount === 2 ? true : undefined;
    });
    const attempts = world.ecsServer.state.launchAttemptsOf('web');
    expect(attempts.map((attempt) => attempt.outcome)).to.deep.equal(['RUNNING', 'RUNNING']);
  });

  it('describes only the ECS services that run no mesh task; one scaled to 0 then keeps its token past a GC grace of 0', async () => {
    const { world } = env;
    // web's tasks do not read their secret (they run before the controller starts); idle's would.
    await world.createServiceSecret('web');
    await world.registerTaskDefinition('web');
    await registerMeshTaskDefinition(world, 'idle', await world.createServiceSecret('idle'));
    await createService(world, 'web', 2);
    await createService(world, 'idle', 0);
    const running = async (service: string, count: number) => {
      const described = await world.ecs.send(
        new DescribeServicesCommand({ cluster: world.cluster, services: [service] }),
      );
      return described.services?.[0]?.runningCount === count ? true : undefined;
    };
    await eventually('two running web tasks', () => running('web', 2));
    const controller = await start({ gcGracePeriodMs: 0 });
    const tokenNames = async () =>
      (await world.serviceTokens()).map((token) => token.ServiceIdentities?.[0]?.ServiceName).sort();
    await eventually('tokens for idle and web', async () =>
      JSON.stringify(await tokenNames()) === '["idle","web"]' ? true : undefined,
    );
    // web runs mesh tasks: the service list skips it (not described); idle is described.
    const { services } = controller.container.get<AclDeps>(aclDepsId(world.cluster));
    const cachedServices = () =>
      (services?.store.list() ?? []).map((service) => service.service?.name).sort();
    await eventually('the service list done', () => services?.hasSynced() || undefined);
    expect(cachedServices()).to.deep.equal(['idle']);

    await world.ecs.send(
      new UpdateServiceCommand({ cluster: world.cluster, service: 'web', desiredCount: 0 }),
    );
    await eventually('web at 0 running tasks', () => running('web', 0));
    // The GC, before deleting web's token, asks for a service list, which now describes web.
    await eventually('web in the ECS service cache, ACTIVE at desired count 0', () =>
      services?.store
        .list()
        .find((service) => service.service?.name === 'web' && service.status === 'ACTIVE'),
    );
    expect(await tokenNames()).to.deep.equal(['idle', 'web']);
    expect(cachedServices()).to.deep.equal(['idle', 'web']);
  });

  it('deletes the token of an ECS service deleted at desired count 0 within a task resync, though services are relisted hourly (no task event tells)', async () => {
    const { world } = env;
    await registerMeshTaskDefinition(world, 'idle', await world.createServiceSecret('idle'));
    await createService(world, 'idle', 0);
    const controller = await start({
      resyncIntervalMs: 1_000,
      serviceResyncIntervalMs: 3_600_000,
      gcGracePeriodMs: 0,
    });
    await eventually(
      'the token of idle',
      async () => (await world.serviceTokens()).length === 1 || undefined,
    );
    const { services, tasks } = controller.container.get<AclDeps>(aclDepsId(world.cluster));
    // Resyncs with the pre-provisioned token wanted: the service is described, the services are
    // not relisted.
    await eventually('the service list done', () => services?.hasSynced() || undefined);
    const serviceLists = services?.listCount;
    const describes = () => env.ecs.calls.count('DescribeServices');
    const describedBefore = describes();
    const tasksListed = tasks.listCount;
    await eventually('three more task resyncs', () => tasks.listCount >= tasksListed + 3 || undefined);
    expect(services?.listCount, 'service relists during the resyncs').to.equal(serviceLists);
    expect(describes() - describedBefore, 'DescribeServices calls, at most one per resync').to.be.within(
      1,
      tasks.listCount - tasksListed + 1,
    );

    await world.ecs.send(new DeleteServiceCommand({ cluster: world.cluster, service: 'idle', force: true }));
    await eventually(
      'idle token deleted',
      async () => (await world.serviceTokens()).length === 0 || undefined,
    );
  });

  it('asks for no service relist between hourly ones while no token is kept only by an ECS service', async () => {
    const { world } = env;
    await world.createServiceSecret('web');
    await world.registerTaskDefinition('web');
    await createService(world, 'web', 1);
    const controller = await start({ resyncIntervalMs: 1_000, serviceResyncIntervalMs: 3_600_000 });
    await eventually('a token for web', async () => (await world.serviceTokens()).length === 1 || undefined);
    const { services, tasks } = controller.container.get<AclDeps>(aclDepsId(world.cluster));
    await eventually('the service list done', () => services?.hasSynced() || undefined);
    const serviceLists = services?.listCount;
    const tasksListed = tasks.listCount;
    await eventually('three more task resyncs', () => tasks.listCount >= tasksListed + 3 || undefined);
    expect(services?.listCount).to.equal(serviceLists);
  });

  it("corrects a task learnt from its task definition's tags at the next full list: RunTask gave it a service name of its own", async () => {
    const { world } = env;
    await registerMeshTaskDefinition(world, 'search', await world.createServiceSecret('search'));
    await world.createServiceSecret('other');
    const controller = await start({ resyncIntervalMs: 1_000, gcGracePeriodMs: 0 });
    const { tasks, taskDefinitions } = controller.container.get<AclDeps>(aclDepsId(world.cluster));
    await eventually('the first list', () => tasks.hasSynced() || undefined);
    const run = async (tags: { key: string; value: string }[]) =>
      (await world.ecs.send(new RunTaskCommand({ cluster: world.cluster, taskDefinition: 'search', tags })))
        .tasks?.[0]?.taskArn as string;
    const plain = await run([MESH]);
    const names = async () =>
      (await world.serviceTokens()).map((token) => token.ServiceIdentities?.[0]?.ServiceName).sort();
    await eventually(
      'the token of search',
      async () => JSON.stringify(await names()) === '["search"]' || undefined,
    );
    await eventually(
      'the task definition cached',
      () => taskDefinitions.has(env.ecs.state.tasks.get(plain)?.taskDefinitionArn ?? '') || undefined,
    );
    // The event of this task carries no tags: made from the (cached) definition, it reads as search.
    await run([MESH, { key: 'consul.hashicorp.com/service-name', value: 'other' }]);
    await world.stopTasks([plain]);
    await eventually(
      'only the token of the name the task carries, once a list described it',
      async () => JSON.stringify(await names()) === '["other"]' || undefined,
    );
  });

  it('gives a mesh ECS service created at desired count 0 its token from its deployment event, though services are relisted hourly', async () => {
    await env.close();
    env = await startEventsWorld({ serviceEvents: true });
    const { world } = env;
    await registerMeshTaskDefinition(world, 'early', await world.createServiceSecret('early'));
    const controller = await start({ serviceResyncIntervalMs: 3_600_000, preProvision: true });
    const { services } = controller.container.get<AclDeps>(aclDepsId(world.cluster));
    await eventually('the service list done', () => services?.hasSynced() || undefined);
    const serviceLists = services?.listCount;
    await createService(world, 'early', 0);
    await eventually(
      'a token for early',
      async () => (await world.serviceTokens()).length === 1 || undefined,
    );
    expect(services?.listCount, 'no service relist: the event was enough').to.equal(serviceLists);
    const metrics = await controller.metrics();
    expect(metrics).to.match(/ecs_service_events_total\{result="applied"\} [1-9]/);
  });

  it('counts a service event of another cluster as ignored and describes nothing for it', async () => {
    await env.close();
    env = await startEventsWorld({ serviceEvents: true });
    const { world } = env;
    const controller = await start({ serviceResyncIntervalMs: 3_600_000, preProvision: true });
    const { services } = controller.container.get<AclDeps>(aclDepsId(world.cluster));
    await eventually('the service list done', () => services?.hasSynced() || undefined);
    const described = env.ecs.calls.count('DescribeServices');
    const foreign = {
      version: '0',
      id: 'b6a8b0d5-0000-4000-8000-000000000001',
      'detail-type': 'ECS Deployment State Change',
      source: 'aws.ecs',
      account: '123456789012',
      time: '2026-12-05T00:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:ecs:us-east-1:123456789012:service/other-cluster/web'],
      detail: { eventType: 'INFO', eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS' },
    };
    env.sqs.state.sendMessage(env.sqs.state.findQueue('task-events')!, JSON.stringify(foreign));
    await eventually(
      'the foreign event counted as ignored',
      async () =>
        /ecs_service_events_total\{result="ignored"\} 1/.test(await controller.metrics()) || undefined,
    );
    expect(env.ecs.calls.count('DescribeServices')).to.equal(described);
  });

  it('learns new tasks of a running service from its task definition, described once, not from DescribeTasks per event batch', async () => {
    const { world } = env;
    await world.createServiceSecret('web');
    await world.registerTaskDefinition('web');
    await createService(world, 'web', 1);
    const controller = await start({});
    const { tasks } = controller.container.get<AclDeps>(aclDepsId(world.cluster));
    const webTasks = () => tasks.store.list().filter((task) => task.service?.name === 'web').length;
    await eventually('the first web task cached', () => webTasks() === 1 || undefined);
    await eventually('a token for web', async () => (await world.serviceTokens()).length === 1 || undefined);
    const describedTasks = world.ecsServer.calls.count('DescribeTasks');
    await world.ecs.send(
      new UpdateServiceCommand({ cluster: world.cluster, service: 'web', desiredCount: 4 }),
    );
    await eventually('three more web tasks, from their events', () => webTasks() === 4 || undefined);
    expect(world.ecsServer.calls.count('DescribeTasks')).to.equal(describedTasks);
    expect(world.ecsServer.calls.count('DescribeTaskDefinition')).to.equal(1);
  });

  it('learns the tasks of a receive batch that brings several new task definitions from one DescribeTasks, not a DescribeTaskDefinition each', async () => {
    const { world, sqs } = env;
    // ECS publishes to the environment's queue; the controller reads another, into which the
    // events are moved at once, so that one receive gets them all (a burst of new services).
    const published = sqs.state.requireQueue(env.queueUrl);
    const held = sqs.state.createQueue('held-task-events', {});
    const controller = await start({ eventsQueueUrl: held.url });
    const { tasks } = controller.container.get<AclDeps>(aclDepsId(world.cluster));
    await eventually('the first task list', () => tasks.hasSynced() || undefined);
    const families = ['burst-a', 'burst-b', 'burst-c'];
    for (const family of families) {
      await world.registerTaskDefinition(family);
      await world.ecs.send(
        new RunTaskCommand({
          cluster: world.cluster,
          taskDefinition: family,
          propagateTags: 'TASK_DEFINITION',
        }),
      );
    }
    await eventually(
      'their first events published',
      () => published.messages.length >= families.length || undefined,
    );
    const before = {
      tasks: world.ecsServer.calls.count('DescribeTasks'),
      definitions: world.ecsServer.calls.count('DescribeTaskDefinition'),
    };
    const bodies = published.messages.map((message) => message.body);
    sqs.state.purge(published);
    for (const body of bodies) sqs.state.sendMessage(held, body);
    const burstTasks = () =>
      tasks.store.list().filter((task) => families.includes(task.service?.name ?? '')).length;
    await eventually('the three tasks cached', () => burstTasks() === 3 || undefined);
    expect(world.ecsServer.calls.count('DescribeTaskDefinition') - before.definitions).to.equal(0);
    expect(world.ecsServer.calls.count('DescribeTasks') - before.tasks).to.equal(1);
  });

  it('without pre-provisioning, the first task of a new service fails with ResourceInitializationError', async () => {
    const { world } = env;
    const secretArn = await world.createServiceSecret('web');
    await registerMeshTaskDefinition(world, 'web', secretArn);
    // A controller that only watches tasks can act only once a task exists, while ECS reads the
    // secret as that task starts. Starting it after the launch makes that ordering deterministic.
    await createService(world, 'web', 1);
    const first = await eventually(
      'a launch attempt',
      async () => world.ecsServer.state.launchAttemptsOf('web')[0],
    );
    await start({ preProvision: false });
    expect(first.outcome).to.equal('FAILED');
    expect(first.stoppedReason).to.contain('ResourceInitializationError');
  });

  it('applies task events within the resync window: a new task gets its token with no relist', async () => {
    const { world } = env;
    await world.createServiceSecret('api');
    const controller = await start({ preProvision: false });
    const listsAtStart = world.ecsServer.calls.count('ListTasks');
    const startedAt = performance.now();
    await world.runTasks('api');
    await eventually('the token', async () => (await world.serviceTokens()).length === 1);
    console.log(
      `      event-driven: token ready ${Math.round(performance.now() - startedAt)} ms after RunTask`,
    );
    expect(world.ecsServer.calls.count('ListTasks'), 'no relist happened').to.equal(listsAtStart);
    expect(await controller.metrics()).to.match(/ecs_task_events_total\{result="applied"\} [1-9]/);
  });

  it('forgets a task stopped by an event at once: neither the cache nor the lister keeps it until the next relist', async () => {
    const { world } = env;
    await world.createServiceSecret('api');
    // A grace period, so the garbage collector's confirming relist cannot race the check below.
    const controller = await start({ preProvision: false, gcGracePeriodMs: 60_000 });
    const [task] = await world.runTasks('api');
    await eventually('the token', async () => (await world.serviceTokens()).length === 1);
    const { tasks, taskLister } = controller.container.get<AclDeps>(aclDepsId(world.cluster));
    expect(taskLister.known(task), 'described while running').to.not.equal(undefined);
    const lists = world.ecsServer.calls.count('ListTasks');
    await world.stopTasks([task]);
    await eventually('the task gone from the cache', async () => !tasks.store.has(task));
    expect(taskLister.known(task), 'the lister forgot it too').to.equal(undefined);
    expect(world.ecsServer.calls.count('ListTasks'), 'by the event, not a relist').to.equal(lists);
  });

  it('with leader election only the leader consumes events; a new leader relists first, then consumes', async () => {
    const { world } = env;
    await world.createServiceSecret('api');
    await world.createServiceSecret('web');
    const election = (identity: string) => ({
      preProvision: false,
      leaderElection: { identity, ttlMs: 10_000, renewMs: 1_000, lockDelayMs: 100 },
    });
    // One-second long polls, so a consumer on the standby would show up in the SQS call log at once.
    const first = await start(election('first'), 1);
    await eventually('first leads', () => first.manager.leadingGroups().includes('prod'));
    const second = await start(election('second'), 1);
    const receives = async (controller: RunningController) =>
      /external_api_requests_total\{service="sqs",operation="ReceiveMessage",code="200"\} (\d+)/.exec(
        await controller.metrics(),
      )?.[1] ?? '0';
    await world.runTasks('api');
    await eventually('api token from the leader', async () => (await world.serviceTokens()).length === 1);
    expect(await receives(second), 'the standby never receives').to.equal('0');
    // Three more (empty) polls by the leader; every ReceiveMessage the SQS server answered is its.
    const polled = Number(await receives(first));
    await eventually(
      'three more polls',
      async () => Number(await receives(first)) >= polled + 3 || undefined,
    );
    await eventually('only the leader polls SQS', async () =>
      env.sqs.calls.count('ReceiveMessage') === Number(await receives(first)) ? true : undefined,
    );

    const listsBefore = world.ecsServer.calls.count('ListTasks');
    await first.stop();
    await eventually('second leads', () => second.manager.leadingGroups().includes('prod'));
    await eventually('the new leader relisted', () => world.ecsServer.calls.count('ListTasks') > listsBefore);
    const listsAfterTakeover = world.ecsServer.calls.count('ListTasks');
    await world.runTasks('web');
    await eventually('web token from the new leader', async () => (await world.serviceTokens()).length === 2);
    expect(Number(await receives(second))).to.be.greaterThan(0);
    expect(world.ecsServer.calls.count('ListTasks'), 'web came from an event, not a relist').to.equal(
      listsAfterTakeover,
    );
  });

  it('never moves the task cache backwards under duplicated, reordered and delayed events', async () => {
    const { world } = env;
    await world.createServiceSecret('web');
    const controller = await start({ preProvision: false });
    const pipe = world.ecsServer.events;
    pipe?.faults.add({ operation: '*', kind: 'duplicate', fraction: 0.5 });
    pipe?.faults.add({ operation: '*', kind: 'reorder', fraction: 0.3 });
    pipe?.faults.add({ operation: '*', kind: 'delay', fraction: 0.3, latencyMs: 50 });
    const { tasks } = controller.container.get<AclDeps>(aclDepsId(env.world.cluster));
    const seen = new Map<string, number>();
    let backwards = 0;
    const watching = tasks.events$.subscribe((event) => {
      if (event.type === 'deleted') return;
      const before = seen.get(event.key) ?? -1;
      if (event.obj.version < before) backwards += 1;
      seen.set(event.key, Math.max(before, event.obj.version));
    });
    const arns = await world.runTasks('web', 6);
    await world.stopTasks(arns.slice(0, 3));
    pipe?.flush();
    const running = new Set(arns.slice(3));
    await eventually('the cache equal to ECS', async () => {
      const cached = new Set(tasks.store.keys());
      return cached.size === running.size && [...running].every((arn) => cached.has(arn)) ? true : undefined;
    });
    // A late duplicate is counted stale after the cache already equals ECS, and the token is
    // created after the task reached the cache: wait for both.
    await eventually('a stale event counted and the web token', async () => {
      expect(await controller.metrics()).to.match(/ecs_task_events_total\{result="stale"\} [1-9]/);
      expect(await world.serviceTokens()).to.have.length(1);
      return true;
    });
    watching.unsubscribe();
    expect(backwards).to.equal(0);
  });
});
