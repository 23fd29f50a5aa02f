import { expect } from 'chai';

import { isOurCluster, parseLoginDescription } from '../../controllers/domain/login-token.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';
/** What Consul writes for a consul-ecs login (Go's JSON of the meta map: keys sorted). */
const described = (meta: Record<string, unknown>) => `token created via login: ${JSON.stringify(meta)}`;

describe('login token descriptions', () => {
  it('reads the cluster and task id Consul wrote at login', () => {
    const description = described({
      'consul.hashicorp.com/cluster': ARN,
      'consul.hashicorp.com/task-id': '0123456789abcdef0123456789abcdef',
      team: 'extra keys are ignored',
    });
    expect(parseLoginDescription(description)).to.deep.equal({
      cluster: ARN,
      taskId: '0123456789abcdef0123456789abcdef',
    });
  });

  it('is not a login description unless the prefix starts it and the meta is complete', () => {
    const meta = { 'consul.hashicorp.com/cluster': ARN, 'consul.hashicorp.com/task-id': 'abc' };
    for (const description of [
      JSON.stringify(meta), // a bare object: consul-ecs v0.10 accepts it, we do not
      `my note ${described(meta)}`,
      'token created via login',
      'token created via login: not json',
      'token created via login: ["a"]',
      described({ 'consul.hashicorp.com/cluster': ARN }),
      described({ 'consul.hashicorp.com/cluster': ARN, 'consul.hashicorp.com/task-id': '' }),
      described({ 'consul.hashicorp.com/cluster': ARN, 'consul.hashicorp.com/task-id': 7 }),
      described({ 'consul.hashicorp.com/cluster': ARN, 'consul.hashicorp.com/task-id': 'prod/abc' }),
    ]) {
      expect(parseLoginDescription(description), description).to.equal(undefined);
    }
  });

  it("matches our cluster exactly, by any of its names, and nobody else's", () => {
    const meta = (cluster: string) => ({ cluster, taskId: 'abc' });
    const ours = [ARN, 'prod'];
    expect(isOurCluster(meta(ARN), ours)).to.equal(true);
    expect(isOurCluster(meta('prod'), ours)).to.equal(true);
    for (const other of [
      'Prod',
      'prod2',
      `${ARN}-2`,
      'arn:aws:ecs:us-east-1:123456789012:cluster/prod/x',
      '',
    ])
      expect(isOurCluster(meta(other), ours), other).to.equal(false);
  });
});
