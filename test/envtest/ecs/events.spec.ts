import { RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';

import { type SqsServer, startSqsServer } from '../../../envtest/sqs/server.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { eventually } from '../expect-error.js';
import { sqsClient } from '../sqs/fixture.js';
import { type EcsFixture, seedClusterAndTaskDefinition, startEcsFixture } from './fixture.js';

interface Event {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown> & { version: number; lastStatus: string; taskArn: string };
}

describe('ECS emulator: Task State Change events', () => {
  const start = 1_700_000_000_000;

  describe('into an envtest SQS queue', () => {
    let clock: ManualClock;
    let sqsServer: SqsServer;
    let sqs: SQSClient;
    let fixture: EcsFixture;
    let queueUrl: string;

    beforeEach(async () => {
      clock = new ManualClock(start);
      sqsServer = await startSqsServer({ clock });
      sqs = sqsClient(sqsServer);
      queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ecs-events' }))).QueueUrl ?? '';
      fixture = await startEcsFixture({
        clock,
        timings: { provisioningMs: 1_000, pendingMs: 2_000, stoppingMs: 3_000 },
        events: { sqs: sqsServer.state, queueUrl },
      });
      await seedClusterAndTaskDefinition(fixture.ecs);
    });
    afterEach(async () => {
      await fixture.close();
      sqs.destroy();
      await sqsServer.close();
    });

    async function drain(): Promise<Event[]> {
      const events: Event[] = [];
      for (;;) {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
        );
        if (!out.Messages) return events;
        for (const message of out.Messages) events.push(JSON.parse(message.Body ?? '') as Event);
      }
    }

    it('publishes one event per change, in AWS shape, with detail.version matching the task', async () => {
      const run = await fixture.ecs.send(
        new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app', startedBy: 'me' }),
      );
      const taskArn = run.tasks?.[0]?.taskArn ?? '';
      await clock.advance(3_000);
      const events = await drain();
      expect(events.map((e) => [e.detail.lastStatus, e.detail.version])).to.deep.equal([
        ['PROVISIONING', 1],
        ['PENDING', 2],
        ['RUNNING', 3],
      ]);
      const running = events[2] as Event;
      expect(running).to.include({
        version: '0',
        'detail-type': 'ECS Task State Change',
        source: 'aws.ecs',
        account: '123456789012',
        region: 'us-east-1',
        time: '2023-11-14T22:13:23Z',
      });
      expect(running.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(running.resources).to.deep.equal([taskArn]);
      expect(running.detail).to.include({
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/mesh',
        taskArn,
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:1',
        group: 'family:app',
        startedBy: 'me',
        desiredStatus: 'RUNNING',
        launchType: 'FARGATE',
        availabilityZone: 'us-east-1a',
        createdAt: new Date(start).toISOString(),
        startedAt: new Date(start + 3_000).toISOString(),
      });
      expect(running.detail).to.not.have.property('stoppedAt');
      expect(running.detail).to.not.have.property('tags');
      const containers = running.detail.containers as { name: string; lastStatus: string; taskArn: string }[];
      expect(containers.map((c) => [c.name, c.lastStatus, c.taskArn])).to.deep.equal([
        ['app', 'RUNNING', taskArn],
        ['consul-dataplane', 'RUNNING', taskArn],
      ]);
      expect(new Set(events.map((e) => e.id)).size).to.equal(3);
    });

    it('a stopped task publishes desiredStatus STOPPED, then STOPPING, then STOPPED with reason and code', async () => {
      const run = await fixture.ecs.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app' }));
      const taskArn = run.tasks?.[0]?.taskArn ?? '';
      await clock.advance(3_000);
      await drain();
      await fixture.ecs.send(new StopTaskCommand({ cluster: 'mesh', task: taskArn, reason: 'bye' }));
      await clock.advance(3_000);
      const events = await drain();
      expect(
        events.map((e) => [e.detail.lastStatus, e.detail.desiredStatus, e.detail.version]),
      ).to.deep.equal([
        ['RUNNING', 'STOPPED', 4],
        ['STOPPING', 'STOPPED', 5],
        ['STOPPED', 'STOPPED', 6],
      ]);
      expect(events[2]?.detail).to.include({ stoppedReason: 'bye', stopCode: 'UserInitiated' });
      expect(events[2]?.detail.stoppedAt).to.equal(new Date(start + 6_000).toISOString());
      expect(fixture.server.events?.published).to.have.length(6);
      expect(fixture.server.events?.delivered).to.equal(6);
    });

    it('a consumer long-polling the queue wakes on the first event', async () => {
      const polling = sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }),
      );
      await eventually(() => sqsServer.state.waiting === 1);
      const run = await fixture.ecs.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app' }));
      const out = await polling;
      const event = JSON.parse(out.Messages?.[0]?.Body ?? '{}') as Event;
      expect(event.detail).to.include({
        taskArn: run.tasks?.[0]?.taskArn,
        lastStatus: 'PROVISIONING',
        version: 1,
      });
      expect(clock.now()).to.equal(start);
    });

    it('events to a deleted queue are dropped and counted', async () => {
      sqsServer.state.deleteQueue(sqsServer.state.requireQueue(queueUrl));
      await fixture.ecs.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app' }));
      expect(fixture.server.events?.dropped).to.equal(1);
      expect(fixture.server.events?.delivered).to.equal(0);
    });
  });

  describe('event faults', () => {
    let clock: ManualClock;
    let fixture: EcsFixture;
    let bodies: Event[];

    beforeEach(async () => {
      clock = new ManualClock(start);
      bodies = [];
      fixture = await startEcsFixture({
        clock,
        timings: { provisioningMs: 1_000, pendingMs: 1_000, stoppingMs: 1_000 },
        events: { publish: (body) => bodies.push(JSON.parse(body) as Event) },
      });
      await seedClusterAndTaskDefinition(fixture.ecs);
    });
    afterEach(() => fixture.close());

    const versions = () => bodies.map((e) => e.detail.version);
    const run = () => fixture.ecs.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app' }));

    it('duplicate delivers the same event twice (same id and version)', async () => {
      fixture.server.events?.faults.add({ operation: 'TaskStateChange', kind: 'duplicate', count: 1 });
      await run();
      await clock.advance(2_000);
      expect(versions()).to.deep.equal([1, 1, 2, 3]);
      expect(bodies[0]?.id).to.equal(bodies[1]?.id);
    });

    it('reorder holds an event back until after the next one', async () => {
      await run();
      fixture.server.events?.faults.add({ operation: 'TaskStateChange', kind: 'reorder', count: 1 });
      await clock.advance(2_000);
      expect(versions()).to.deep.equal([1, 3, 2]);
    });

    it('reorder of the last event is released by flush()', async () => {
      await run();
      await clock.advance(1_000);
      fixture.server.events?.faults.add({ operation: '*', kind: 'reorder', count: 1 });
      await clock.advance(1_000);
      expect(versions()).to.deep.equal([1, 2]);
      fixture.server.events?.flush();
      expect(versions()).to.deep.equal([1, 2, 3]);
    });

    it('delay publishes after latencyMs on the clock, after later events', async () => {
      fixture.server.events?.faults.add({
        operation: 'TaskStateChange',
        kind: 'delay',
        count: 1,
        latencyMs: 5_000,
      });
      await run();
      await clock.advance(2_000);
      expect(versions()).to.deep.equal([2, 3]);
      await clock.advance(2_999);
      expect(versions()).to.deep.equal([2, 3]);
      await clock.advance(1);
      expect(versions()).to.deep.equal([2, 3, 1]);
    });

    it('fraction 1 duplicates every event; clear() stops it', async () => {
      fixture.server.events?.faults.add({ operation: 'TaskStateChange', kind: 'duplicate', fraction: 1 });
      await run();
      expect(versions()).to.deep.equal([1, 1]);
      fixture.server.events?.faults.clear();
      await clock.advance(1_000);
      expect(versions()).to.deep.equal([1, 1, 2]);
      expect(fixture.server.events?.faults.injectedCount).to.equal(1);
    });

    it('without the events option there is no pipe', async () => {
      const plain = await startEcsFixture({ clock });
      try {
        expect(plain.server.events).to.equal(undefined);
      } finally {
        await plain.close();
      }
    });
  });
});
