import {
  CreateServiceCommand,
  DescribeClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type DesiredStatus,
  type PropagateTags,
} from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { rejectionOf } from '../expect-error.js';
import { type EcsFixture, seedClusterAndTaskDefinition, startEcsFixture } from './fixture.js';

describe('ECS emulator: parameter validation and defaults', () => {
  let fixture: EcsFixture;

  beforeEach(async () => {
    fixture = await startEcsFixture({ clock: new ManualClock() });
    await seedClusterAndTaskDefinition(fixture.ecs);
  });
  afterEach(() => fixture.close());

  const errorName = async (call: Promise<unknown>) => (await rejectionOf(call)).name;

  it('rejects an invalid family name and an empty container list with ClientException', async () => {
    expect(
      await errorName(
        fixture.ecs.send(
          new RegisterTaskDefinitionCommand({
            family: 'bad family',
            containerDefinitions: [{ name: 'a', image: 'b' }],
          }),
        ),
      ),
    ).to.equal('ClientException');
    expect(
      await errorName(
        fixture.ecs.send(new RegisterTaskDefinitionCommand({ family: 'f', containerDefinitions: [] })),
      ),
    ).to.equal('ClientException');
  });

  it('rejects a negative desiredCount, an unknown propagateTags value and an unknown task definition', async () => {
    const create = (extra: Record<string, unknown>) =>
      fixture.ecs.send(
        new CreateServiceCommand({ cluster: 'mesh', serviceName: 'web', taskDefinition: 'app', ...extra }),
      );
    expect(await errorName(create({ desiredCount: -1 }))).to.equal('InvalidParameterException');
    expect(await errorName(create({ propagateTags: 'EVERYTHING' as PropagateTags }))).to.equal(
      'InvalidParameterException',
    );
    expect(await errorName(create({ taskDefinition: 'ghost' }))).to.equal('InvalidParameterException');
    await create({ desiredCount: 0 });
    expect(
      await errorName(
        fixture.ecs.send(
          new UpdateServiceCommand({ cluster: 'mesh', service: 'web', taskDefinition: 'ghost:9' }),
        ),
      ),
    ).to.equal('InvalidParameterException');
  });

  it('rejects a startedBy over 128 characters and an unknown desiredStatus', async () => {
    expect(
      await errorName(
        fixture.ecs.send(
          new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app', startedBy: 'x'.repeat(129) }),
        ),
      ),
    ).to.equal('InvalidParameterException');
    expect(
      await errorName(
        fixture.ecs.send(new ListTasksCommand({ cluster: 'mesh', desiredStatus: 'PAUSED' as DesiredStatus })),
      ),
    ).to.equal('InvalidParameterException');
  });

  it('uses the default cluster when a request names none', async () => {
    expect(await errorName(fixture.ecs.send(new ListTasksCommand({})))).to.equal('ClusterNotFoundException');
    const described = await fixture.ecs.send(new DescribeClustersCommand({}));
    expect(described.failures?.[0]?.arn).to.match(/:cluster\/default$/);
    await seedClusterAndTaskDefinition(fixture.ecs, 'default', 'other');
    const { tasks } = await fixture.ecs.send(new RunTaskCommand({ taskDefinition: 'other' }));
    expect(tasks?.[0]?.clusterArn).to.match(/:cluster\/default$/);
    expect((await fixture.ecs.send(new ListTasksCommand({}))).taskArns).to.deep.equal([tasks?.[0]?.taskArn]);
  });

  it('filters ListServices by launch type', async () => {
    for (const [serviceName, launchType] of [
      ['on-fargate', 'FARGATE'],
      ['on-ec2', 'EC2'],
    ] as const) {
      await fixture.ecs.send(
        new CreateServiceCommand({
          cluster: 'mesh',
          serviceName,
          taskDefinition: 'app',
          desiredCount: 0,
          launchType,
        }),
      );
    }
    const ec2 = await fixture.ecs.send(new ListServicesCommand({ cluster: 'mesh', launchType: 'EC2' }));
    expect(ec2.serviceArns?.map((arn) => arn.split('/').pop())).to.deep.equal(['on-ec2']);
  });
});
