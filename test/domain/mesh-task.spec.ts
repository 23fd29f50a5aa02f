import { expect } from 'chai';

import { familyFromTaskDefinitionArn } from '../../src/aws/arn.js';
import { toMeshTask } from '../../controllers/domain/mesh-task.js';
import {
  isValidServiceIdentityName,
  parseServiceKey,
  serviceKey,
} from '../../controllers/domain/service-ref.js';

const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web-app:7';
const facts = (tags: Record<string, string>, taskDefinitionArn = TD) => ({
  taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/c/abc',
  taskDefinitionArn,
  tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  version: 3,
});

describe('toMeshTask', () => {
  it('counts a task only when the mesh tag is exactly "true" (P4)', () => {
    expect(toMeshTask(facts({ 'consul.hashicorp.com/mesh': 'true' }), false).mesh).to.equal(true);
    expect(toMeshTask(facts({ 'consul.hashicorp.com/mesh': 'TRUE' }), false).mesh).to.equal(false);
    expect(toMeshTask(facts({ 'consul.hashicorp.com/mesh': 'yes' }), false).mesh).to.equal(false);
    expect(toMeshTask(facts({}), false).mesh).to.equal(false);
  });

  it('names the service by the service-name tag, else the family (P5)', () => {
    const tagged = toMeshTask(
      facts({ 'consul.hashicorp.com/mesh': 'true', 'consul.hashicorp.com/service-name': 'frontend' }),
      false,
    );
    expect(tagged.service).to.deep.equal({ name: 'frontend' });
    expect(toMeshTask(facts({ 'consul.hashicorp.com/mesh': 'true' }), false).service).to.deep.equal({
      name: 'web-app',
    });
  });

  it('reports an unparseable task definition ARN as a problem, without a service (P5)', () => {
    const task = toMeshTask(facts({ 'consul.hashicorp.com/mesh': 'true' }, 'not-an-arn'), false);
    expect(task.service).to.equal(undefined);
    expect(task.problem).to.equal('cannot determine task family from task definition ARN "not-an-arn"');
    expect(familyFromTaskDefinitionArn('arn:x/a:b:c')).to.equal(undefined);
  });

  it('requires the partition and namespace tags together when partitions are enabled', () => {
    const mesh = { 'consul.hashicorp.com/mesh': 'true' };
    expect(toMeshTask(facts(mesh), true).service).to.deep.equal({
      name: 'web-app',
      partition: 'default',
      namespace: 'default',
    });
    const both = toMeshTask(
      facts({ ...mesh, 'consul.hashicorp.com/partition': 'p', 'consul.hashicorp.com/namespace': 'n' }),
      true,
      'p',
    );
    expect(both.service).to.deep.equal({ name: 'web-app', partition: 'p', namespace: 'n' });
    const one = toMeshTask(facts({ ...mesh, 'consul.hashicorp.com/partition': 'p' }), true, 'p');
    expect(one.problem).to.equal('task definition requires both partition and namespace tags');
    expect(
      toMeshTask(facts({ ...mesh, 'consul.hashicorp.com/partition': 'p' }), false).service,
    ).to.deep.equal({
      name: 'web-app',
    });
  });

  it('marks a task of another partition as foreign, without a service (consul-ecs: external partition)', () => {
    const other = {
      'consul.hashicorp.com/mesh': 'true',
      'consul.hashicorp.com/partition': 'other',
      'consul.hashicorp.com/namespace': 'team1',
    };
    const skipped = toMeshTask(facts(other), true, 'default');
    expect(skipped).to.include({ mesh: true, foreignPartition: 'other' });
    expect(skipped.service).to.equal(undefined);
    expect(skipped.problem).to.equal(undefined);
    // The served partition defaults to "default", as consul-ecs's -partition does.
    expect(toMeshTask(facts(other), true).foreignPartition).to.equal('other');
    // Untagged tasks are default/default: served by a "default" controller, foreign to others.
    const untagged = facts({ 'consul.hashicorp.com/mesh': 'true' });
    expect(toMeshTask(untagged, true, 'default').foreignPartition).to.equal(undefined);
    expect(toMeshTask(untagged, true, 'other').foreignPartition).to.equal('default');
    // Without partitions nothing is foreign, whatever the tags say.
    expect(toMeshTask(facts(other), false, 'default').service).to.deep.equal({ name: 'web-app' });
    // A broken task stays a problem (an error), not a skip.
    const broken = toMeshTask(facts({ ...other, 'consul.hashicorp.com/namespace': 'a/b' }), true, 'default');
    expect(broken.problem).to.match(/"\/"/);
    expect(broken.foreignPartition).to.equal(undefined);
  });
});

describe('service keys and names', () => {
  it('round-trips keys with and without partitions', () => {
    for (const ref of [{ name: 'web' }, { name: 'web', partition: 'p', namespace: 'n' }]) {
      expect(parseServiceKey(serviceKey(ref))).to.deep.equal(ref);
    }
  });

  it("applies Consul's service identity name rule", () => {
    expect(isValidServiceIdentityName('web-2')).to.equal(true);
    for (const bad of ['Web', 'web_app', '-web', 'web-', '', 'a'.repeat(257)]) {
      expect(isValidServiceIdentityName(bad), bad).to.equal(false);
    }
  });
});
