import { DescribeTasksCommand, ListTasksCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { type TaskChange } from '../../../envtest/ecs/model.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { type EcsFixture, seedClusterAndTaskDefinition, startEcsFixture } from './fixture.js';

describe('ECS emulator: task lifecycle on the injected clock', () => {
  let clock: ManualClock;
  let fixture: EcsFixture;
  const start = 1_700_000_000_000;

  beforeEach(async () => {
    clock = new ManualClock(start);
    fixture = await startEcsFixture({
      clock,
      timings: { provisioningMs: 1_000, pendingMs: 2_000, stoppingMs: 3_000 },
    });
    await seedClusterAndTaskDefinition(fixture.ecs);
  });
  afterEach(() => fixture.close());

  async function describe1(taskArn: string) {
    const out = await fixture.ecs.send(new DescribeTasksCommand({ cluster: 'mesh', tasks: [taskArn] }));
    const task = out.tasks?.[0];
    if (!task) throw new Error('task not described');
    return task;
  }

  async function runOne(): Promise<string> {
    const { tasks } = await fixture.ecs.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app' }));
    return tasks?.[0]?.taskArn ?? '';
  }

  it('moves PROVISIONING → PENDING → RUNNING at the configured times, bumping version each step', async () => {
    const arn = await runOne();
    expect(await describe1(arn)).to.include({ lastStatus: 'PROVISIONING', version: 1 });
    await clock.advance(999);
    expect(await describe1(arn)).to.include({ lastStatus: 'PROVISIONING', version: 1 });
    await clock.advance(1);
    const pending = await describe1(arn);
    expect(pending).to.include({ lastStatus: 'PENDING', version: 2 });
    expect(pending.pullStartedAt?.getTime()).to.equal(start + 1_000);
    await clock.advance(2_000);
    const running = await describe1(arn);
    expect(running).to.include({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', version: 3 });
    expect(running.startedAt?.getTime()).to.equal(start + 3_000);
    expect(running.containers?.every((c) => c.lastStatus === 'RUNNING')).to.equal(true);
  });

  it('stops as AWS does: desiredStatus STOPPED first, then STOPPING, then STOPPED after stoppingMs', async () => {
    const arn = await runOne();
    await clock.advance(3_000);
    const { task: answered } = await fixture.ecs.send(new StopTaskCommand({ cluster: 'mesh', task: arn }));
    expect(answered).to.include({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED', version: 4 });
    expect(answered?.stoppingAt?.getTime()).to.equal(start + 3_000);
    expect(answered?.stoppedReason).to.equal('Task stopped by user');
    await clock.advance(0);
    expect(await describe1(arn)).to.include({ lastStatus: 'STOPPING', desiredStatus: 'STOPPED', version: 5 });
    await clock.advance(2_999);
    expect((await describe1(arn)).lastStatus).to.equal('STOPPING');
    await clock.advance(1);
    const stopped = await describe1(arn);
    expect(stopped).to.include({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', version: 6 });
    expect(stopped.stoppedAt?.getTime()).to.equal(start + 6_000);
    expect(stopped.containers?.every((c) => c.lastStatus === 'STOPPED')).to.equal(true);
    const listed = await fixture.ecs.send(
      new ListTasksCommand({ cluster: 'mesh', desiredStatus: 'STOPPED' }),
    );
    expect(listed.taskArns).to.deep.equal([arn]);
    expect(fixture.server.state.pendingTransitions).to.equal(0);
  });

  it('a task stopped while PROVISIONING never reaches RUNNING', async () => {
    const arn = await runOne();
    await fixture.ecs.send(new StopTaskCommand({ cluster: 'mesh', task: arn }));
    await clock.advance(10_000);
    const task = await describe1(arn);
    expect(task).to.include({ lastStatus: 'STOPPED', version: 4 });
    expect(task.startedAt).to.equal(undefined);
    const steps = fixture.server.state.taskChanges.map(
      (change) => `${change.lastStatus}/${change.desiredStatus}`,
    );
    expect(steps).to.deep.equal([
      'PROVISIONING/RUNNING',
      'PROVISIONING/STOPPED',
      'STOPPING/STOPPED',
      'STOPPED/STOPPED',
    ]);
  });

  it('keeps an ordered change log with strictly increasing versions per task and notifies listeners', async () => {
    const seen: TaskChange[] = [];
    const unsubscribe = fixture.server.state.onTaskChange((change) => seen.push(change));
    const first = await runOne();
    const second = await runOne();
    await clock.advance(3_000);
    await fixture.ecs.send(new StopTaskCommand({ cluster: 'mesh', task: first }));
    await clock.advance(3_000);
    unsubscribe();
    await runOne();

    const log = fixture.server.state.taskChanges;
    expect(seen).to.have.length(log.length - 1);
    for (const arn of [first, second]) {
      const versions = log.filter((change) => change.taskArn === arn).map((change) => change.version);
      expect(versions).to.deep.equal(versions.map((_, i) => i + 1));
    }
    expect(log.filter((c) => c.taskArn === first).map((c) => c.lastStatus)).to.deep.equal([
      'PROVISIONING',
      'PENDING',
      'RUNNING',
      'RUNNING',
      'STOPPING',
      'STOPPED',
    ]);
    const stopped = log.find((c) => c.taskArn === first && c.lastStatus === 'STOPPED');
    expect(stopped).to.include({
      group: 'family:app',
      stopCode: 'UserInitiated',
      stoppedReason: 'Task stopped by user',
    });
    expect(stopped?.taskDefinitionArn).to.match(/task-definition\/app:1$/);
    const times = log.map((change) => change.at);
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    expect(log[log.length - 1]?.at).to.equal(start + 6_000);
  });

  it('terminateTask stops a task on its own and its service starts a replacement', async () => {
    const state = fixture.server.state;
    const cluster = state.requireCluster('mesh');
    const taskDefinition = state.requireTaskDefinition('app');
    state.createService({
      cluster,
      name: 'web',
      taskDefinition,
      desiredCount: 1,
      launchType: 'FARGATE',
      propagateTags: 'NONE',
      enableECSManagedTags: false,
      tags: [],
    });
    const [original] = [...state.tasks.values()];
    expect(state.terminateTask(original?.arn ?? '')).to.equal(true);
    expect(state.terminateTask(original?.arn ?? '')).to.equal(false);
    await clock.advance(10_000);
    const stopped = await describe1(original?.arn ?? '');
    expect(stopped).to.include({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited' });
    const running = await fixture.ecs.send(new ListTasksCommand({ cluster: 'mesh', serviceName: 'web' }));
    expect(running.taskArns).to.have.length(1);
    expect(running.taskArns?.[0]).to.not.equal(original?.arn);
  });

  it('close() cancels pending lifecycle steps', async () => {
    await runOne();
    expect(fixture.server.state.pendingTransitions).to.equal(1);
    await fixture.server.close();
    expect(clock.pendingTimers).to.equal(0);
  });
});
