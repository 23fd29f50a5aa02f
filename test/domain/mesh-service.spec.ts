import { expect } from 'chai';

import { type EcsServiceFacts } from '../../src/aws/ecs-service-facts.js';
import { toMeshService } from '../../controllers/domain/mesh-service.js';

const MESH = { key: 'consul.hashicorp.com/mesh', value: 'true' };
const scoped = (partition: string, namespace: string) => [
  MESH,
  { key: 'consul.hashicorp.com/partition', value: partition },
  { key: 'consul.hashicorp.com/namespace', value: namespace },
];
const facts = (
  definitionTags: EcsServiceFacts['tags'],
  ownTags: EcsServiceFacts['tags'] = [],
): EcsServiceFacts => ({
  serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
  status: 'ACTIVE',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3',
  desiredCount: 1,
  propagateTags: 'SERVICE',
  tags: ownTags,
  taskDefinition: { family: 'web', tags: definitionTags },
});

describe('toMeshService', () => {
  it("takes the name and scope from the task definition's tags, else from its own propagated tags", () => {
    expect(toMeshService(facts(scoped('default', 'team1')), true, 'default').service).to.deep.equal({
      name: 'web',
      partition: 'default',
      namespace: 'team1',
    });
    expect(toMeshService(facts([], scoped('default', 'team2')), true, 'default').service).to.deep.equal({
      name: 'web',
      partition: 'default',
      namespace: 'team2',
    });
    expect(toMeshService(facts([]), true, 'default').mesh).to.equal(false);
  });

  it('marks an ECS service of another partition as foreign, without a service (no pre-provisioning)', () => {
    const foreign = toMeshService(facts(scoped('other', 'team1')), true, 'default');
    expect(foreign).to.include({ mesh: true, foreignPartition: 'other' });
    expect(foreign.service).to.equal(undefined);
    expect(foreign.problem).to.equal(undefined);
    expect(toMeshService(facts(scoped('other', 'team1')), true, 'other').service).to.deep.equal({
      name: 'web',
      partition: 'other',
      namespace: 'team1',
    });
    expect(toMeshService(facts(scoped('other', 'team1')), false, 'default').service).to.deep.equal({
      name: 'web',
    });
  });
});
