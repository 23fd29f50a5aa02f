import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ListClustersCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { expect } from 'chai';

import { rejectionOf } from '../expect-error.js';
import { type EcsFixture, startEcsFixture } from './fixture.js';

describe('ECS emulator: clusters and task definitions', () => {
  let fixture: EcsFixture;

  beforeEach(async () => {
    fixture = await startEcsFixture({ region: 'eu-west-1', accountId: '111122223333' });
  });
  afterEach(() => fixture.close());

  it('creates a cluster with a long-format ARN in the configured region and account', async () => {
    const { cluster } = await fixture.ecs.send(
      new CreateClusterCommand({ clusterName: 'mesh', tags: [{ key: 'team', value: 'platform' }] }),
    );
    expect(cluster?.clusterArn).to.equal('arn:aws:ecs:eu-west-1:111122223333:cluster/mesh');
    expect(cluster?.status).to.equal('ACTIVE');
    expect(cluster?.tags).to.deep.equal([{ key: 'team', value: 'platform' }]);
  });

  it('names the cluster "default" when CreateCluster gives no name, and is idempotent', async () => {
    const first = await fixture.ecs.send(new CreateClusterCommand({}));
    const again = await fixture.ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    expect(first.cluster?.clusterName).to.equal('default');
    expect(again.cluster?.clusterArn).to.equal(first.cluster?.clusterArn);
    const listed = await fixture.ecs.send(new ListClustersCommand({}));
    expect(listed.clusterArns).to.have.length(1);
  });

  it('pages ListClusters with maxResults and nextToken', async () => {
    for (const name of ['a', 'b', 'c'])
      await fixture.ecs.send(new CreateClusterCommand({ clusterName: name }));
    const first = await fixture.ecs.send(new ListClustersCommand({ maxResults: 2 }));
    expect(first.clusterArns?.map((arn) => arn.split('/')[1])).to.deep.equal(['a', 'b']);
    expect(first.nextToken).to.be.a('string');
    const second = await fixture.ecs.send(
      new ListClustersCommand({ maxResults: 2, nextToken: first.nextToken }),
    );
    expect(second.clusterArns?.map((arn) => arn.split('/')[1])).to.deep.equal(['c']);
    expect(second.nextToken).to.equal(undefined);
  });

  it('describes clusters by name or ARN, with tags on request and MISSING failures', async () => {
    const { cluster } = await fixture.ecs.send(
      new CreateClusterCommand({ clusterName: 'mesh', tags: [{ key: 'k', value: 'v' }] }),
    );
    const described = await fixture.ecs.send(
      new DescribeClustersCommand({ clusters: [cluster?.clusterArn ?? '', 'ghost'], include: ['TAGS'] }),
    );
    expect(described.clusters?.map((c) => c.clusterName)).to.deep.equal(['mesh']);
    expect(described.clusters?.[0]?.tags).to.deep.equal([{ key: 'k', value: 'v' }]);
    expect(described.failures).to.deep.equal([
      { arn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/ghost', reason: 'MISSING' },
    ]);
    const withoutTags = await fixture.ecs.send(new DescribeClustersCommand({ clusters: ['mesh'] }));
    expect(withoutTags.clusters?.[0]?.tags).to.equal(undefined);
  });

  it('registers increasing revisions per family and describes by family, family:revision and ARN', async () => {
    const register = (image: string) =>
      fixture.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          containerDefinitions: [{ name: 'web', image, memory: 128 }],
          tags: [{ key: 'consul.hashicorp.com/mesh', value: 'true' }],
        }),
      );
    const first = await register('web:1');
    const second = await register('web:2');
    expect(first.taskDefinition?.revision).to.equal(1);
    expect(second.taskDefinition?.taskDefinitionArn).to.equal(
      'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:2',
    );
    expect(second.tags).to.deep.equal([{ key: 'consul.hashicorp.com/mesh', value: 'true' }]);

    const latest = await fixture.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
    expect(latest.taskDefinition?.revision).to.equal(2);
    expect(latest.taskDefinition?.containerDefinitions?.[0]?.image).to.equal('web:2');
    expect(latest.tags).to.equal(undefined);

    const byRevision = await fixture.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1', include: ['TAGS'] }),
    );
    expect(byRevision.taskDefinition?.containerDefinitions?.[0]?.image).to.equal('web:1');
    expect(byRevision.tags).to.deep.equal([{ key: 'consul.hashicorp.com/mesh', value: 'true' }]);

    const byArn = await fixture.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: first.taskDefinition?.taskDefinitionArn }),
    );
    expect(byArn.taskDefinition?.revision).to.equal(1);
    expect(byArn.taskDefinition?.status).to.equal('ACTIVE');
  });

  it('rejects an unknown task definition with ClientException', async () => {
    const error = await rejectionOf(
      fixture.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' })),
    );
    expect(error.name).to.equal('ClientException');
    expect(error.message).to.equal('Unable to describe task definition.');
  });

  it('rejects a container definition without an image with ClientException', async () => {
    const error = await rejectionOf(
      fixture.ecs.send(
        new RegisterTaskDefinitionCommand({ family: 'bad', containerDefinitions: [{ name: 'x' }] }),
      ),
    );
    expect(error.name).to.equal('ClientException');
    expect(error.$metadata?.httpStatusCode).to.equal(400);
  });
});
