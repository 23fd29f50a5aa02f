import { expect } from 'chai';

import {
  clientTokenDescription,
  parseOwnedDescription,
  serviceDescription,
} from '../../controllers/domain/token-description.js';

describe('token descriptions', () => {
  it("writes consul-ecs's exact service token description", () => {
    expect(serviceDescription('Token', { name: 'web' }, 'prod')).to.equal(
      'Token for web service\nconsul.hashicorp.com/cluster: prod',
    );
  });

  it('claims a description only when its cluster equals ours exactly (consul-ecs hazard 1)', () => {
    const prod2 = serviceDescription('Token', { name: 'web' }, 'prod-2');
    expect(parseOwnedDescription(prod2, 'prod')).to.equal(undefined);
    expect(parseOwnedDescription(prod2, 'prod-2')).to.deep.equal({ kind: 'token', service: { name: 'web' } });
    expect(
      parseOwnedDescription(`${serviceDescription('Token', { name: 'web' }, 'prod')} extra`, 'prod'),
    ).to.equal(undefined);
    expect(parseOwnedDescription('Token for web service', 'prod')).to.equal(undefined);
    expect(parseOwnedDescription(undefined, 'prod')).to.equal(undefined);
  });

  it('round-trips partitioned descriptions and v0.4 policy descriptions', () => {
    const service = { name: 'api', partition: 'p1', namespace: 'ns1' };
    expect(parseOwnedDescription(serviceDescription('Token', service, 'c'), 'c')).to.deep.equal({
      kind: 'token',
      service,
    });
    expect(parseOwnedDescription(serviceDescription('Policy', { name: 'api' }, 'c'), 'c')).to.deep.equal({
      kind: 'policy',
      service: { name: 'api' },
    });
  });

  it('marks the client token with the cluster', () => {
    expect(clientTokenDescription('prod')).to.equal(
      'ECS Consul client Token\necs-acl-controller/cluster: prod',
    );
    expect(parseOwnedDescription(clientTokenDescription('prod'), 'prod')).to.equal(undefined);
  });
});
