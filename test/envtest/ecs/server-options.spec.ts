import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { mulberry32 as seeded } from '../../chaos/prng.js';
import { eventually } from '../expect-error.js';
import { type EcsFixture, seedClusterAndTaskDefinition, startEcsFixture } from './fixture.js';

describe('ECS emulator: server options', () => {
  const fixtures: EcsFixture[] = [];
  afterEach(async () => {
    await Promise.all(fixtures.map((fixture) => fixture.close()));
    fixtures.length = 0;
  });

  async function start(options: Parameters<typeof startEcsFixture>[0]): Promise<EcsFixture> {
    const fixture = await startEcsFixture(options);
    fixtures.push(fixture);
    await seedClusterAndTaskDefinition(fixture.ecs);
    return fixture;
  }

  it('draws task ids from the injected random source, so a seed repeats them', async () => {
    const runOn = async (fixture: EcsFixture) =>
      (
        await fixture.ecs.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app', count: 3 }))
      ).tasks?.map((task) => task.taskArn);
    const first = await runOn(await start({ random: seeded(7) }));
    const second = await runOn(await start({ random: seeded(7) }));
    const other = await runOn(await start({ random: seeded(8) }));
    expect(first).to.deep.equal(second);
    expect(first).to.not.deep.equal(other);
  });

  it('keeps the tags of stopped tasks by default and deletes them with clearTagsOnStop', async () => {
    const tagsAfterStop = async (fixture: EcsFixture, clock: ManualClock) => {
      const { tasks } = await fixture.ecs.send(
        new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app', tags: [{ key: 'mesh', value: 'yes' }] }),
      );
      const arn = tasks?.[0]?.taskArn ?? '';
      await fixture.ecs.send(new StopTaskCommand({ cluster: 'mesh', task: arn }));
      await clock.advance(0);
      const out = await fixture.ecs.send(
        new DescribeTasksCommand({ cluster: 'mesh', tasks: [arn], include: ['TAGS'] }),
      );
      expect(out.tasks?.[0]?.lastStatus).to.equal('STOPPED');
      return out.tasks?.[0]?.tags;
    };
    const keepClock = new ManualClock();
    const clearClock = new ManualClock();
    expect(await tagsAfterStop(await start({ clock: keepClock }), keepClock)).to.deep.equal([
      { key: 'mesh', value: 'yes' },
    ]);
    expect(
      await tagsAfterStop(await start({ clock: clearClock, clearTagsOnStop: true }), clearClock),
    ).to.deep.equal([]);
  });

  it('runs task lifecycles on real time by default', async () => {
    const fixture = await start({});
    const { tasks } = await fixture.ecs.send(new RunTaskCommand({ cluster: 'mesh', taskDefinition: 'app' }));
    const arn = tasks?.[0]?.taskArn ?? '';
    await eventually(() => fixture.server.state.tasks.get(arn)?.lastStatus === 'RUNNING');
    const described = await fixture.ecs.send(new DescribeTasksCommand({ cluster: 'mesh', tasks: [arn] }));
    expect(described.tasks?.[0]?.lastStatus).to.equal('RUNNING');
    expect(fixture.server.port).to.be.greaterThan(0);
    expect(fixture.server.url).to.equal(`http://127.0.0.1:${fixture.server.port}`);
  });
});
