import { expect } from 'chai';

import { aclListScope } from '../../controllers/adapters/acl-informers.js';
import { toOwnedPolicy, toOwnedToken } from '../../controllers/adapters/owned-acl.js';
import { serviceDescription } from '../../controllers/domain/token-description.js';

const token = (description: string) => ({ AccessorID: 'a', Description: description, ModifyIndex: 7 });

describe('owned ACL objects with a served partition', () => {
  const inDefault = serviceDescription(
    'Token',
    { name: 'web', partition: 'default', namespace: 'team1' },
    'prod',
  );
  const inOther = serviceDescription(
    'Token',
    { name: 'web', partition: 'other', namespace: 'team1' },
    'prod',
  );

  it('owns a service token of the served partition, keyed partition/namespace/name', () => {
    expect(toOwnedToken(token(inDefault), 'prod', 'default')?.serviceKey).to.equal('default/team1/web');
  });

  it('does not own a token or policy whose description names another partition', () => {
    expect(toOwnedToken(token(inOther), 'prod', 'default')).to.equal(undefined);
    const policy = {
      ID: 'p',
      Name: 'web-service',
      Description: serviceDescription('Policy', { name: 'web', partition: 'other', namespace: 'n' }, 'prod'),
    };
    expect(toOwnedPolicy(policy, 'prod', 'default')).to.equal(undefined);
    expect(toOwnedPolicy(policy, 'prod', 'other')?.serviceKey).to.equal('other/n/web');
  });

  it('without a served partition (no partitions), owns by cluster alone, as before', () => {
    expect(toOwnedToken(token(inOther), 'prod')?.serviceKey).to.equal('other/team1/web');
    expect(toOwnedToken(token(inDefault), 'prod-2')).to.equal(undefined);
  });

  it('lists every namespace of the served partition, and sends no scope without partitions', () => {
    expect(aclListScope('default')).to.deep.equal({ partition: 'default', namespace: '*' });
    expect(aclListScope(undefined)).to.deep.equal({});
  });
});
