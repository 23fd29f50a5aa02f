import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { rejectionOf } from '../expect-error.js';
import { type EcsFixture, seedClusterAndTaskDefinition, startEcsFixture } from './fixture.js';

describe('ECS emulator: services', () => {
  let clock: ManualClock;
  let fixture: EcsFixture;

  beforeEach(async () => {
    clock = new ManualClock();
    fixture = await startEcsFixture({ clock });
    await seedClusterAndTaskDefinition(fixture.ecs, 'mesh', 'app', [{ key: 'td', value: 'yes' }]);
  });
  afterEach(() => fixture.close());

  const create = (input: Partial<ConstructorParameters<typeof CreateServiceCommand>[0]> = {}) =>
    fixture.ecs.send(
      new CreateServiceCommand({
        cluster: 'mesh',
        serviceName: 'web',
        taskDefinition: 'app',
        desiredCount: 2,
        ...input,
      }),
    );

  async function serviceTasks(serviceName = 'web') {
    const listed = await fixture.ecs.send(new ListTasksCommand({ cluster: 'mesh', serviceName }));
    if ((listed.taskArns ?? []).length === 0) return [];
    const described = await fixture.ecs.send(
      new DescribeTasksCommand({ cluster: 'mesh', tasks: listed.taskArns, include: ['TAGS'] }),
    );
    return described.tasks ?? [];
  }

  it('CreateService starts desiredCount tasks in group service:<name>, started by the deployment', async () => {
    const { service } = await create({ tags: [{ key: 'svc', value: 'web' }] });
    expect(service?.serviceArn).to.equal('arn:aws:ecs:us-east-1:123456789012:service/mesh/web');
    expect(service?.status).to.equal('ACTIVE');
    expect(service?.desiredCount).to.equal(2);
    expect(service?.pendingCount).to.equal(2);
    const tasks = await serviceTasks();
    expect(tasks).to.have.length(2);
    expect(tasks.every((t) => t.group === 'service:web')).to.equal(true);
    expect(tasks[0]?.startedBy).to.match(/^ecs-svc\/\d{19}$/);
    expect(tasks[0]?.startedBy).to.equal(service?.deployments?.[0]?.id);
    await clock.advance(0);
    const described = await fixture.ecs.send(
      new DescribeServicesCommand({ cluster: 'mesh', services: ['web'] }),
    );
    expect(described.services?.[0]).to.include({ runningCount: 2, pendingCount: 0 });
  });

  it('propagates service tags with SERVICE and task definition tags with TASK_DEFINITION', async () => {
    await create({
      serviceName: 'a',
      propagateTags: 'SERVICE',
      tags: [{ key: 'svc', value: 'a' }],
      desiredCount: 1,
    });
    await create({ serviceName: 'b', propagateTags: 'TASK_DEFINITION', desiredCount: 1 });
    await create({ serviceName: 'c', desiredCount: 1, enableECSManagedTags: true });
    expect((await serviceTasks('a'))[0]?.tags).to.deep.equal([{ key: 'svc', value: 'a' }]);
    expect((await serviceTasks('b'))[0]?.tags).to.deep.equal([{ key: 'td', value: 'yes' }]);
    expect((await serviceTasks('c'))[0]?.tags).to.deep.equal([
      { key: 'aws:ecs:clusterName', value: 'mesh' },
      { key: 'aws:ecs:serviceName', value: 'c' },
    ]);
  });

  it('UpdateService scales tasks up and down with the desired count', async () => {
    await create();
    await fixture.ecs.send(new UpdateServiceCommand({ cluster: 'mesh', service: 'web', desiredCount: 5 }));
    expect(await serviceTasks()).to.have.length(5);
    const { service } = await fixture.ecs.send(
      new UpdateServiceCommand({ cluster: 'mesh', service: 'web', desiredCount: 1 }),
    );
    expect(service?.desiredCount).to.equal(1);
    expect(await serviceTasks()).to.have.length(1);
    const stopped = await fixture.ecs.send(
      new ListTasksCommand({ cluster: 'mesh', desiredStatus: 'STOPPED' }),
    );
    expect(stopped.taskArns).to.have.length(4);
  });

  it('UpdateService with a new task definition replaces every task', async () => {
    await create();
    const before = (await serviceTasks()).map((t) => t.taskArn);
    const registered = await fixture.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'app',
        containerDefinitions: [{ name: 'app', image: 'v2' }],
      }),
    );
    await fixture.ecs.send(
      new UpdateServiceCommand({ cluster: 'mesh', service: 'web', taskDefinition: 'app:2' }),
    );
    const after = await serviceTasks();
    expect(after).to.have.length(2);
    expect(after.every((t) => t.taskDefinitionArn === registered.taskDefinition?.taskDefinitionArn)).to.equal(
      true,
    );
    expect(after.some((t) => before.includes(t.taskArn))).to.equal(false);
  });

  it('replaces a service task that was stopped', async () => {
    await create({ desiredCount: 1 });
    const [original] = await serviceTasks();
    await fixture.ecs.send(new StopTaskCommand({ cluster: 'mesh', task: original?.taskArn }));
    const [replacement] = await serviceTasks();
    expect(replacement?.taskArn).to.be.a('string').and.not.equal(original?.taskArn);
  });

  it('DeleteService refuses a scaled service unless forced, then drains to INACTIVE', async () => {
    await create();
    const refused = await rejectionOf(
      fixture.ecs.send(new DeleteServiceCommand({ cluster: 'mesh', service: 'web' })),
    );
    expect(refused.name).to.equal('InvalidParameterException');
    const { service } = await fixture.ecs.send(
      new DeleteServiceCommand({ cluster: 'mesh', service: 'web', force: true }),
    );
    expect(service?.status).to.equal('DRAINING');
    expect((await fixture.ecs.send(new ListTasksCommand({ cluster: 'mesh' }))).taskArns).to.deep.equal([]);
    await clock.advance(0);
    const described = await fixture.ecs.send(
      new DescribeServicesCommand({ cluster: 'mesh', services: ['web'] }),
    );
    expect(described.services?.[0]?.status).to.equal('INACTIVE');
    expect((await fixture.ecs.send(new ListServicesCommand({ cluster: 'mesh' }))).serviceArns).to.deep.equal(
      [],
    );
    const update = await rejectionOf(
      fixture.ecs.send(new UpdateServiceCommand({ cluster: 'mesh', service: 'web', desiredCount: 1 })),
    );
    expect(update.name).to.equal('ServiceNotActiveException');
    const recreated = await create({ desiredCount: 0 });
    expect(recreated.service?.status).to.equal('ACTIVE');
  });

  it('rejects operations on unknown services and duplicate creation', async () => {
    const update = await rejectionOf(
      fixture.ecs.send(new UpdateServiceCommand({ cluster: 'mesh', service: 'ghost', desiredCount: 1 })),
    );
    expect(update.name).to.equal('ServiceNotFoundException');
    const remove = await rejectionOf(
      fixture.ecs.send(new DeleteServiceCommand({ cluster: 'mesh', service: 'ghost' })),
    );
    expect(remove.name).to.equal('ServiceNotFoundException');
    const list = await rejectionOf(
      fixture.ecs.send(new ListTasksCommand({ cluster: 'mesh', serviceName: 'ghost' })),
    );
    expect(list.name).to.equal('ServiceNotFoundException');
    const first = await create();
    expect((await create()).service?.serviceArn, 'same parameters: idempotent').to.equal(
      first.service?.serviceArn,
    );
    expect(await serviceTasks()).to.have.length(2);
    expect((await rejectionOf(create({ desiredCount: 3 }))).name).to.equal('InvalidParameterException');
    expect((await rejectionOf(create({ cluster: 'ghost' }))).name).to.equal('ClusterNotFoundException');
  });

  it('DescribeServices takes up to 10 services, with tags on request and MISSING failures', async () => {
    await create({ tags: [{ key: 'k', value: 'v' }] });
    const described = await fixture.ecs.send(
      new DescribeServicesCommand({ cluster: 'mesh', services: ['web', 'ghost'], include: ['TAGS'] }),
    );
    expect(described.services?.[0]?.tags).to.deep.equal([{ key: 'k', value: 'v' }]);
    expect(described.failures).to.deep.equal([
      { arn: 'arn:aws:ecs:us-east-1:123456789012:service/mesh/ghost', reason: 'MISSING' },
    ]);
    const plain = await fixture.ecs.send(new DescribeServicesCommand({ cluster: 'mesh', services: ['web'] }));
    expect(plain.services?.[0]?.tags).to.equal(undefined);
    const eleven = Array.from({ length: 11 }, (_, i) => `s${i}`);
    const error = await rejectionOf(
      fixture.ecs.send(new DescribeServicesCommand({ cluster: 'mesh', services: eleven })),
    );
    expect(error.name).to.equal('InvalidParameterException');
  });

  it('ListServices defaults to 10 per page, allows up to 100 and pages with nextToken', async () => {
    for (let i = 0; i < 25; i += 1) await create({ serviceName: `svc-${i}`, desiredCount: 0 });
    const first = await fixture.ecs.send(new ListServicesCommand({ cluster: 'mesh' }));
    expect(first.serviceArns).to.have.length(10);
    const rest = await fixture.ecs.send(
      new ListServicesCommand({ cluster: 'mesh', maxResults: 100, nextToken: first.nextToken }),
    );
    expect(rest.serviceArns).to.have.length(15);
    expect(rest.nextToken).to.equal(undefined);
    expect(new Set([...(first.serviceArns ?? []), ...(rest.serviceArns ?? [])]).size).to.equal(25);
    const error = await rejectionOf(
      fixture.ecs.send(new ListServicesCommand({ cluster: 'mesh', maxResults: 101 })),
    );
    expect(error.name).to.equal('InvalidParameterException');
  });
});
