// envtest ECS's service events ("ECS Deployment State Change"), and our parser of them: a service
// created or given a new task definition publishes one, in AWS's shape; a desired-count change by
// hand and a deletion publish none (as ECS); without `serviceEvents` nothing but task events.
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { type Queue } from '../../../envtest/sqs/model.js';
import { type SqsServer, startSqsServer } from '../../../envtest/sqs/server.js';
import { parseServiceEvent } from '../../../src/aws/service-event.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { type EcsFixture, seedClusterAndTaskDefinition, startEcsFixture } from './fixture.js';

interface Envelope {
  'detail-type': string;
  source: string;
  resources: string[];
  detail: Record<string, unknown>;
}

describe('ECS emulator: service deployment events', () => {
  let sqsServer: SqsServer;
  let fixture: EcsFixture;

  const startWith = async (serviceEvents: boolean) => {
    const clock = new ManualClock(1_700_000_000_000);
    sqsServer = await startSqsServer({ clock });
    const queue = sqsServer.state.createQueue('ecs-events', {});
    fixture = await startEcsFixture({
      clock,
      events: { sqs: sqsServer.state, queueUrl: queue.url, serviceEvents },
    });
    await seedClusterAndTaskDefinition(fixture.ecs);
    return queue;
  };
  afterEach(async () => {
    await fixture.close();
    await sqsServer.close();
  });
  const deploymentEvents = (queue: Queue) =>
    queue.messages
      .map((message) => JSON.parse(message.body) as Envelope)
      .filter((event) => event['detail-type'] === 'ECS Deployment State Change');

  it('publishes SERVICE_DEPLOYMENT_IN_PROGRESS on CreateService and on a new task definition only', async () => {
    const queue = await startWith(true);
    const created = await fixture.ecs.send(
      new CreateServiceCommand({
        cluster: 'mesh',
        serviceName: 'web',
        taskDefinition: 'app',
        desiredCount: 0,
      }),
    );
    const serviceArn = created.service?.serviceArn as string;
    expect(serviceArn).to.match(/:service\/mesh\/web$/);
    let events = deploymentEvents(queue);
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({ source: 'aws.ecs', resources: [serviceArn] });
    expect(events[0]?.detail).to.include({ eventType: 'INFO', eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS' });
    expect(events[0]?.detail).not.to.have.property('clusterArn');

    await fixture.ecs.send(new UpdateServiceCommand({ cluster: 'mesh', service: 'web', desiredCount: 0 }));
    expect(deploymentEvents(queue)).to.have.length(1);
    await fixture.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'app',
        containerDefinitions: [{ name: 'app', image: 'x', memory: 64 }],
      }),
    );
    await fixture.ecs.send(
      new UpdateServiceCommand({ cluster: 'mesh', service: 'web', taskDefinition: 'app:2' }),
    );
    events = deploymentEvents(queue);
    expect(events).to.have.length(2);
    expect(events[1]?.detail.deploymentId).not.to.equal(events[0]?.detail.deploymentId);
    await fixture.ecs.send(new DeleteServiceCommand({ cluster: 'mesh', service: 'web', force: true }));
    expect(deploymentEvents(queue)).to.have.length(2);

    // Our parser reads the cluster from the service ARN (the event has no clusterArn).
    const parsed = parseServiceEvent(events[0] as unknown as Record<string, unknown>);
    expect(parsed).to.deep.equal({
      kind: 'event',
      event: {
        serviceArn,
        clusterArn: serviceArn.replace(/:service\/mesh\/web$/, ':cluster/mesh'),
        eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
      },
    });
  });

  it('publishes no service event without serviceEvents', async () => {
    const queue = await startWith(false);
    await fixture.ecs.send(
      new CreateServiceCommand({
        cluster: 'mesh',
        serviceName: 'web',
        taskDefinition: 'app',
        desiredCount: 0,
      }),
    );
    expect(deploymentEvents(queue)).to.deep.equal([]);
  });
});

describe('parseServiceEvent', () => {
  const event = (resources: unknown, detail: unknown = {}) => ({ resources, detail });

  it('takes detail.clusterArn when given (Service Action), else the cluster of a long service ARN', () => {
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:service/blue/web';
    expect(
      parseServiceEvent(
        event([arn], {
          clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/blue',
          eventName: 'SERVICE_STEADY_STATE',
        }),
      ),
    ).to.deep.equal({
      kind: 'event',
      event: {
        serviceArn: arn,
        clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/blue',
        eventName: 'SERVICE_STEADY_STATE',
      },
    });
    expect(parseServiceEvent(event([arn]))).to.deep.include({ kind: 'event' });
  });

  it('reports malformed events without quoting them: no service ARN, or a short ARN with no cluster', () => {
    for (const resources of [undefined, [], ['arn:aws:ecs:eu-west-1:123456789012:task/blue/abc'], [42], 'x'])
      expect(parseServiceEvent(event(resources))).to.deep.equal({
        kind: 'malformed',
        reason: 'resources[0] is not an ECS service ARN',
      });
    expect(parseServiceEvent(event(['arn:aws:ecs:eu-west-1:123456789012:service/web']))).to.deep.equal({
      kind: 'malformed',
      reason: 'no detail.clusterArn and a service ARN without its cluster',
    });
  });
});
