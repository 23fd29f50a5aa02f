import {
  CreateServiceCommand,
  ListTagsForResourceCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { rejectionOf } from '../expect-error.js';
import { type EcsFixture, seedClusterAndTaskDefinition, startEcsFixture } from './fixture.js';

describe('ECS emulator: tagging', () => {
  let clock: ManualClock;
  let fixture: EcsFixture;
  let clusterArn: string;
  let taskDefinitionArn: string;

  beforeEach(async () => {
    clock = new ManualClock();
    fixture = await startEcsFixture({ clock });
    ({ clusterArn, taskDefinitionArn } = await seedClusterAndTaskDefinition(fixture.ecs));
  });
  afterEach(() => fixture.close());

  const tagsOf = async (resourceArn: string) =>
    (await fixture.ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags;

  it('tags, retags and untags tasks, services, clusters and task definitions', async () => {
    const { tasks } = await fixture.ecs.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app' }));
    const { service } = await fixture.ecs.send(
      new CreateServiceCommand({
        cluster: 'mesh',
        serviceName: 'web',
        taskDefinition: 'app',
        desiredCount: 0,
      }),
    );
    for (const arn of [tasks?.[0]?.taskArn ?? '', service?.serviceArn ?? '', clusterArn, taskDefinitionArn]) {
      await fixture.ecs.send(
        new TagResourceCommand({
          resourceArn: arn,
          tags: [
            { key: 'a', value: '1' },
            { key: 'b', value: '2' },
          ],
        }),
      );
      await fixture.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'a', value: '3' }] }));
      await fixture.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['b'] }));
      expect(await tagsOf(arn), arn).to.deep.equal([{ key: 'a', value: '3' }]);
    }
  });

  it('rejects unknown resources, unknown clusters, malformed ARNs, aws: keys and stopped tasks', async () => {
    const unknownTask = await rejectionOf(
      tagsOf(`arn:aws:ecs:us-east-1:123456789012:task/mesh/${'0'.repeat(32)}`),
    );
    expect(unknownTask.name).to.equal('ResourceNotFoundException');
    const unknownCluster = await rejectionOf(tagsOf('arn:aws:ecs:us-east-1:123456789012:cluster/ghost'));
    expect(unknownCluster.name).to.equal('ClusterNotFoundException');
    const malformed = await rejectionOf(tagsOf('not-an-arn'));
    expect(malformed.name).to.equal('InvalidParameterException');
    const reserved = await rejectionOf(
      fixture.ecs.send(
        new TagResourceCommand({ resourceArn: clusterArn, tags: [{ key: 'aws:x', value: '1' }] }),
      ),
    );
    expect(reserved.name).to.equal('InvalidParameterException');

    const { tasks } = await fixture.ecs.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app' }));
    const taskArn = tasks?.[0]?.taskArn ?? '';
    await fixture.ecs.send(new StopTaskCommand({ cluster: 'mesh', task: taskArn }));
    await clock.advance(0);
    const stopped = await rejectionOf(
      fixture.ecs.send(new TagResourceCommand({ resourceArn: taskArn, tags: [{ key: 'k', value: 'v' }] })),
    );
    expect(stopped.name).to.equal('InvalidParameterException');
    expect(stopped.message).to.equal('The specified task is stopped.');
  });
});
