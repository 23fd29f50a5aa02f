// Events that cannot lie (issue 13), through the real CLI on envtest: with -events-queue-url the
// full relist corrects every event (a lost stop event, a stale cache after a leader handover), a
// foreign event changes nothing, and a dry run touches nothing (no SQS consumption, no lock).
import { expect } from 'chai';

import { type CallRecord } from '../../envtest/call-log.js';
import { fastElectionFlags } from '../helpers/controller-cli.js';
import { type ControllerProcess, spawnController } from './cli-process.js';
import { type EventsWorld, startEventsWorld } from './events-world.js';
import { type AclWorld, eventually } from './world.js';

function spawn(env: EventsWorld, extra: readonly string[]): ControllerProcess {
  return spawnController(env.world, ['-events-queue-url', env.queueUrl, '-gc-grace-period', '0', ...extra], {
    AWS_ENDPOINT_URL_SQS: env.sqs.url,
  });
}

async function tokenOf(world: AclWorld, service: string) {
  return (await world.ownServiceTokens()).find(
    (token) => token.ServiceIdentities?.[0]?.ServiceName === service,
  );
}

const writes = (calls: readonly CallRecord[], write: RegExp) =>
  calls.filter((call) => write.test(call.operation));

describe('events that cannot lie, through the real CLI', function () {
  this.timeout(60_000);
  let env: EventsWorld;
  let controllers: ControllerProcess[] = [];

  beforeEach(async () => {
    env = await startEventsWorld({ consul: { sessionTtlMinMs: 1_000 } });
  });
  afterEach(async () => {
    for (const controller of controllers) controller.child.kill('SIGKILL');
    await Promise.all(controllers.map((controller) => controller.exited));
    controllers = [];
    await env.close();
  });

  const start = (extra: readonly string[]) => {
    const controller = spawn(env, extra);
    controllers.push(controller);
    return controller;
  };

  it('collects the token of a task learnt from an event whose stop event was lost, at the next relist', async () => {
    const { world } = env;
    await world.createServiceSecret('web');
    // The first relist comes 5 s after start, so the task is learnt from its event, not a list.
    const controller = start(['-resync-interval', '5s']);
    await eventually('the first list done', async () => {
      const response = await fetch(`${await controller.opsUrl()}/readyz`);
      return response.status === 200;
    });
    const [task] = await world.runTasks('web');
    await eventually('the token', () => tokenOf(world, 'web'));
    await controller.metricsMatching(
      /^ecs_task_events_total\{result="applied"\} [1-9]/m,
      'the event applied',
    );
    env.lose = true;
    const publishedBeforeLoss = env.published.length;
    await world.stopTasks([task]);
    await eventually(
      'the token collected after a relist',
      async () => (await tokenOf(world, 'web')) === undefined,
    );
    const lost = env.published
      .slice(publishedBeforeLoss)
      .map((body) => JSON.parse(body) as { detail: { taskArn: string; desiredStatus: string } });
    expect(
      lost.some((event) => event.detail.taskArn === task && event.detail.desiredStatus === 'STOPPED'),
      'the stop event was published, and lost',
    ).to.equal(true);
  });

  it("deletes nothing for a STOPPED event of another account's cluster with the same name", async () => {
    const { world } = env;
    await world.createServiceSecret('web');
    await world.runTasks('web');
    const controller = start(['-resync-interval', '1s']);
    const token = await eventually('the token', () => tokenOf(world, 'web'));
    const real = JSON.parse(env.published.at(-1) as string) as {
      detail: { clusterArn: string; version: number; desiredStatus: string; lastStatus: string };
    };
    const foreignArn = real.detail.clusterArn.replace(/:\d{12}:/, ':999999999999:');
    expect(foreignArn).to.not.equal(real.detail.clusterArn);
    const forged = {
      ...real,
      detail: {
        ...real.detail,
        clusterArn: foreignArn,
        version: real.detail.version + 10,
        desiredStatus: 'STOPPED',
        lastStatus: 'STOPPED',
      },
    };
    env.sqs.state.sendMessage(env.sqs.state.requireQueue(env.queueUrl), JSON.stringify(forged));
    const queue = env.sqs.state.requireQueue(env.queueUrl);
    await eventually('the forged event consumed', async () => {
      const counts = env.sqs.state.counts(queue);
      return counts.visible === 0 && counts.inFlight === 0;
    });
    const lists = world.ecsServer.calls.count('ListTasks');
    await eventually('five more relists', async () => world.ecsServer.calls.count('ListTasks') >= lists + 5);
    const after = await tokenOf(world, 'web');
    expect(after?.AccessorID).to.equal(token.AccessorID);
    const deletes = world.consulServer.calls.all().filter((call) => call.operation === 'acl.token.delete');
    expect(deletes, 'no token delete at all').to.deep.equal([]);
    await controller.metricsMatching(
      /^ecs_task_events_ignored_total\{reason="other_account_or_region"\} 1$/m,
      'the foreign event counted as ignored',
    );
  });

  it('a replica that leads again does not resurrect the token of a task that stopped while it was standby', async () => {
    const { world } = env;
    await world.createServiceSecret('web');
    const election = [...fastElectionFlags(), '-resync-interval', '3s'];
    const first = start(election);
    await eventually('first leads', async () =>
      /leadership gained; controllers started/.test(first.output()),
    );
    const second = start(election);
    await second.opsUrl();
    const [task] = await world.runTasks('web');
    await eventually('the token, from the leader', () => tokenOf(world, 'web'));
    // Hand the lock to the second replica: pause the first until its session expires.
    first.child.kill('SIGSTOP');
    await eventually('second leads', async () =>
      /leadership gained; controllers started/.test(second.output()),
    );
    await world.stopTasks([task]);
    await eventually(
      'the token collected by the new leader',
      async () => (await tokenOf(world, 'web')) === undefined,
    );
    first.child.kill('SIGCONT');
    second.child.kill('SIGKILL');
    await eventually(
      'first leads again',
      async () => (first.output().match(/leadership gained; controllers started/g) ?? []).length >= 2,
    );
    const lists = world.ecsServer.calls.count('ListTasks');
    await eventually('two more relists', async () => world.ecsServer.calls.count('ListTasks') >= lists + 2);
    expect(await tokenOf(world, 'web'), 'no token resurrected').to.equal(undefined);
    expect(first.output()).to.contain('leadership gained; caches relisted');
  });

  it('a dry run consumes no event, takes no lock and writes nothing, on any of the four servers', async () => {
    const { world } = env;
    await world.createServiceSecret('web');
    await world.runTasks('web');
    const before = {
      ecs: world.ecsServer.calls.all().length,
      sm: world.smServer.calls.all().length,
      consul: world.consulServer.calls.all().length,
      sqs: env.sqs.calls.all().length,
    };
    const dry = start(['-dry-run', '-leader-election', '-resync-interval', '1s']);
    await eventually('a dry-run intention logged', async () => /dry-run: would /.test(dry.output()));
    const lists = world.ecsServer.calls.count('ListTasks');
    await eventually('three more relists', async () => world.ecsServer.calls.count('ListTasks') >= lists + 3);
    const queue = env.sqs.state.requireQueue(env.queueUrl);
    expect(env.sqs.calls.all().slice(before.sqs), 'no SQS call at all').to.deep.equal([]);
    expect(env.sqs.state.counts(queue).visible, 'every event still in the queue').to.equal(
      env.published.length,
    );
    const consul = world.consulServer.calls.all().slice(before.consul);
    expect(
      writes(consul, /^(acl\.(token|policy|role)\.(create|update|delete|clone)|session\.|kv\.)/),
    ).to.deep.equal([]);
    const sm = world.smServer.calls.all().slice(before.sm);
    expect(writes(sm, /^(Put|Update|Create|Delete|Restore|Tag|Untag)/)).to.deep.equal([]);
    const ecs = world.ecsServer.calls.all().slice(before.ecs);
    expect(writes(ecs, /^(?!List|Describe)/)).to.deep.equal([]);
    expect(dry.output()).to.contain(
      'dry-run: the events queue is not consumed and no leader-election lock is taken',
    );
    // Production beside it is not starved: it takes the lock and consumes the events.
    const production = start(['-leader-election', '-resync-interval', '1s']);
    await eventually('production leads', async () =>
      /leadership gained; controllers started/.test(production.output()),
    );
    await eventually('production consumed the queue', async () => env.sqs.state.counts(queue).visible === 0);
    await eventually('the token, from production', () => tokenOf(world, 'web'));
  });
});
