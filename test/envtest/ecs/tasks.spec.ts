import {
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ListTasksCommandInput,
} from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { rejectionOf } from '../expect-error.js';
import { type EcsFixture, seedClusterAndTaskDefinition, startEcsFixture } from './fixture.js';

describe('ECS emulator: tasks', () => {
  let clock: ManualClock;
  let fixture: EcsFixture;

  beforeEach(async () => {
    clock = new ManualClock();
    fixture = await startEcsFixture({ clock });
    await seedClusterAndTaskDefinition(fixture.ecs, 'mesh', 'app', [
      { key: 'from', value: 'task-definition' },
    ]);
    await seedClusterAndTaskDefinition(fixture.ecs, 'other', 'worker');
  });
  afterEach(() => fixture.close());

  const run = (input: Partial<ConstructorParameters<typeof RunTaskCommand>[0]> = {}) =>
    fixture.ecs.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app', ...input }));

  async function listAll(input: ListTasksCommandInput): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await fixture.ecs.send(new ListTasksCommand({ ...input, nextToken }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  it('RunTask starts count tasks with long ARNs, group, startedBy and explicit tags', async () => {
    const { tasks, failures } = await run({
      count: 3,
      startedBy: 'ci',
      group: 'batch',
      tags: [{ key: 'owner', value: 'me' }],
    });
    expect(failures).to.deep.equal([]);
    expect(tasks).to.have.length(3);
    for (const task of tasks ?? []) {
      expect(task.taskArn).to.match(/^arn:aws:ecs:us-east-1:123456789012:task\/mesh\/[0-9a-f]{32}$/);
      expect(task.clusterArn).to.equal('arn:aws:ecs:us-east-1:123456789012:cluster/mesh');
      expect(task.taskDefinitionArn).to.equal('arn:aws:ecs:us-east-1:123456789012:task-definition/app:1');
      expect(task.group).to.equal('batch');
      expect(task.startedBy).to.equal('ci');
      expect(task.lastStatus).to.equal('PROVISIONING');
      expect(task.desiredStatus).to.equal('RUNNING');
      expect(task.version).to.equal(1);
      expect(task.tags).to.deep.equal([{ key: 'owner', value: 'me' }]);
      expect(task.createdAt?.getTime()).to.equal(clock.now());
      expect(task.containers?.map((c) => c.name)).to.deep.equal(['app', 'consul-dataplane']);
    }
    expect(new Set(tasks?.map((t) => t.taskArn)).size).to.equal(3);
  });

  it('RunTask defaults the group to family:<family> and copies task definition tags with TASK_DEFINITION', async () => {
    const { tasks } = await run({ propagateTags: 'TASK_DEFINITION', tags: [{ key: 'extra', value: '1' }] });
    expect(tasks?.[0]?.group).to.equal('family:app');
    expect(tasks?.[0]?.tags).to.deep.equal([
      { key: 'from', value: 'task-definition' },
      { key: 'extra', value: '1' },
    ]);
  });

  it("RunTask with a repeated clientToken returns the first call's tasks instead of starting more", async () => {
    const first = await run({ count: 2, clientToken: 'retry-token-1' });
    const again = await run({ count: 2, clientToken: 'retry-token-1' });
    expect(again.tasks?.map((t) => t.taskArn)).to.deep.equal(first.tasks?.map((t) => t.taskArn));
    const other = await run({ clientToken: 'retry-token-2' });
    expect(other.tasks?.[0]?.taskArn).to.not.be.oneOf(first.tasks?.map((t) => t.taskArn) ?? []);
    expect(fixture.server.state.tasks.size).to.equal(3);
  });

  it('RunTask rejects unknown clusters, unknown task definitions, bad counts and SERVICE propagation', async () => {
    expect((await rejectionOf(run({ cluster: 'ghost' }))).name).to.equal('ClusterNotFoundException');
    expect((await rejectionOf(run({ taskDefinition: 'ghost' }))).name).to.equal('InvalidParameterException');
    expect((await rejectionOf(run({ count: 11 }))).name).to.equal('InvalidParameterException');
    expect((await rejectionOf(run({ propagateTags: 'SERVICE' }))).name).to.equal('InvalidParameterException');
  });

  it('ListTasks defaults to desiredStatus RUNNING and lists stopped tasks only with STOPPED', async () => {
    const { tasks } = await run({ count: 2 });
    const [kept, stopped] = (tasks ?? []).map((t) => t.taskArn ?? '');
    await fixture.ecs.send(new StopTaskCommand({ cluster: 'mesh', task: stopped, reason: 'test' }));
    expect(await listAll({ cluster: 'mesh' })).to.deep.equal([kept]);
    expect(await listAll({ cluster: 'mesh', desiredStatus: 'STOPPED' })).to.deep.equal([stopped]);
    expect(await listAll({ cluster: 'mesh', desiredStatus: 'PENDING' })).to.deep.equal([]);
    await clock.advance(60_000);
    expect(await listAll({ cluster: 'mesh', desiredStatus: 'STOPPED' })).to.deep.equal([stopped]);
  });

  it('ListTasks filters by cluster, family and startedBy', async () => {
    const a = await run({ startedBy: 'alpha' });
    const b = await run({ startedBy: 'beta' });
    const worker = await fixture.ecs.send(new RunTaskCommand({ cluster: 'other', taskDefinition: 'worker' }));
    expect(await listAll({ cluster: 'mesh', startedBy: 'beta' })).to.deep.equal([b.tasks?.[0]?.taskArn]);
    expect(await listAll({ cluster: 'mesh', family: 'app' })).to.deep.equal([
      a.tasks?.[0]?.taskArn,
      b.tasks?.[0]?.taskArn,
    ]);
    expect(await listAll({ cluster: 'mesh', family: 'worker' })).to.deep.equal([]);
    expect(await listAll({ cluster: 'other' })).to.deep.equal([worker.tasks?.[0]?.taskArn]);
  });

  it('ListTasks pages 250 tasks in pages of at most 100, without repeats', async () => {
    for (let i = 0; i < 25; i += 1) await run({ count: 10 });
    const first = await fixture.ecs.send(new ListTasksCommand({ cluster: 'mesh' }));
    expect(first.taskArns).to.have.length(100);
    expect(first.nextToken).to.be.a('string');
    const small = await fixture.ecs.send(new ListTasksCommand({ cluster: 'mesh', maxResults: 7 }));
    expect(small.taskArns).to.have.length(7);
    const all = await listAll({ cluster: 'mesh', maxResults: 100 });
    expect(all).to.have.length(250);
    expect(new Set(all).size).to.equal(250);
    expect(fixture.server.calls.count('ListTasks')).to.equal(2 + 3);
  });

  it('ListTasks rejects maxResults above 100, an unknown cluster and a forged nextToken', async () => {
    const tooMany = await rejectionOf(
      fixture.ecs.send(new ListTasksCommand({ cluster: 'mesh', maxResults: 101 })),
    );
    expect(tooMany.name).to.equal('InvalidParameterException');
    const ghost = await rejectionOf(fixture.ecs.send(new ListTasksCommand({ cluster: 'ghost' })));
    expect(ghost.name).to.equal('ClusterNotFoundException');
    const forged = await rejectionOf(
      fixture.ecs.send(new ListTasksCommand({ cluster: 'mesh', nextToken: 'zz' })),
    );
    expect(forged.name).to.equal('InvalidParameterException');
  });

  it('DescribeTasks accepts ARNs and ids, includes tags only on request and reports MISSING', async () => {
    const { tasks } = await run({ tags: [{ key: 'k', value: 'v' }] });
    const arn = tasks?.[0]?.taskArn ?? '';
    const id = arn.split('/').pop() ?? '';
    const described = await fixture.ecs.send(
      new DescribeTasksCommand({ cluster: 'mesh', tasks: [arn, id, 'f'.repeat(32)], include: ['TAGS'] }),
    );
    expect(described.tasks?.map((t) => t.taskArn)).to.deep.equal([arn, arn]);
    expect(described.tasks?.[0]?.tags).to.deep.equal([{ key: 'k', value: 'v' }]);
    expect(described.failures).to.deep.equal([
      { arn: `arn:aws:ecs:us-east-1:123456789012:task/mesh/${'f'.repeat(32)}`, reason: 'MISSING' },
    ]);
    const untagged = await fixture.ecs.send(new DescribeTasksCommand({ cluster: 'mesh', tasks: [arn] }));
    expect(untagged.tasks?.[0]?.tags).to.equal(undefined);
  });

  it('DescribeTasks returns the documented task fields', async () => {
    const { tasks } = await run({ startedBy: 'me' });
    await clock.advance(0);
    const described = await fixture.ecs.send(
      new DescribeTasksCommand({ cluster: 'mesh', tasks: [tasks?.[0]?.taskArn ?? ''] }),
    );
    const task = described.tasks?.[0];
    expect(task).to.include({
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      group: 'family:app',
      startedBy: 'me',
    });
    expect(task?.startedAt?.getTime()).to.equal(clock.now());
    expect(task?.containers?.[0]?.taskArn).to.equal(task?.taskArn);
    expect(task?.containers?.[0]?.containerArn).to.match(
      /^arn:aws:ecs:us-east-1:123456789012:container\/mesh\//,
    );
    expect(task?.stoppedAt).to.equal(undefined);
  });

  it('reports task-level cpu and memory from the task definition, as strings', async () => {
    await fixture.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'sized',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'main', image: 'busybox' }],
      }),
    );
    const { tasks } = await run({ taskDefinition: 'sized' });
    expect(tasks?.[0]).to.include({ cpu: '256', memory: '512' });
    expect(tasks?.[0]?.overrides?.containerOverrides).to.deep.equal([{ name: 'main' }]);
    const unsized = await run();
    expect(unsized.tasks?.[0]?.cpu).to.equal(undefined);
  });

  it('DescribeTasks rejects an empty list, more than 100 tasks and an unknown cluster', async () => {
    const empty = await rejectionOf(
      fixture.ecs.send(new DescribeTasksCommand({ cluster: 'mesh', tasks: [] })),
    );
    expect(empty.name).to.equal('InvalidParameterException');
    const ids = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, '0'));
    const tooMany = await rejectionOf(
      fixture.ecs.send(new DescribeTasksCommand({ cluster: 'mesh', tasks: ids })),
    );
    expect(tooMany.name).to.equal('InvalidParameterException');
    const hundred = await fixture.ecs.send(
      new DescribeTasksCommand({ cluster: 'mesh', tasks: ids.slice(0, 100) }),
    );
    expect(hundred.failures).to.have.length(100);
    const ghost = await rejectionOf(
      fixture.ecs.send(new DescribeTasksCommand({ cluster: 'ghost', tasks: ['x'] })),
    );
    expect(ghost.name).to.equal('ClusterNotFoundException');
  });

  it('StopTask sets desiredStatus STOPPED with the reason; unknown tasks are InvalidParameterException', async () => {
    const { tasks } = await run();
    const stopped = await fixture.ecs.send(
      new StopTaskCommand({ cluster: 'mesh', task: tasks?.[0]?.taskArn, reason: 'scale in' }),
    );
    expect(stopped.task?.desiredStatus).to.equal('STOPPED');
    expect(stopped.task?.lastStatus).to.equal('PROVISIONING');
    expect(stopped.task?.stoppedReason).to.equal('scale in');
    expect(stopped.task?.stopCode).to.equal('UserInitiated');
    const again = await fixture.ecs.send(new StopTaskCommand({ cluster: 'mesh', task: tasks?.[0]?.taskArn }));
    expect(again.task?.version).to.equal(stopped.task?.version);
    const missing = await rejectionOf(
      fixture.ecs.send(new StopTaskCommand({ cluster: 'mesh', task: 'nope' })),
    );
    expect(missing.name).to.equal('InvalidParameterException');
  });
});
