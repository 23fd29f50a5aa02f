import { expect } from 'chai';

import { mergeAuthMethod } from '../../controllers/consul-resources/consul-resources-reconciler.js';
import { boundPrincipalArn, desiredAuthMethod } from '../../controllers/domain/iam-auth-resources.js';

describe('the IAM auth method merge', () => {
  const ours = desiredAuthMethod(boundPrincipalArn('123456789012', '/consul-ecs/'), false);

  it("adds our principal and entity tags to another controller's method, and keeps everything else", () => {
    const theirs = {
      Name: 'iam-ecs-service-token',
      Type: 'aws-iam',
      Description: 'set by someone',
      MaxTokenTTL: '1h',
      Config: {
        BoundIAMPrincipalARNs: ['arn:aws:iam::999999999999:role/other/*'],
        EnableIAMEntityDetails: false,
        IAMEntityTags: ['team'],
        ServerIDHeaderValue: 'consul.example',
      },
    };
    const merged = mergeAuthMethod(theirs, ours);
    expect(merged).to.deep.include({ Description: 'set by someone', MaxTokenTTL: '1h' });
    expect(merged.Config).to.deep.equal({
      BoundIAMPrincipalARNs: [
        'arn:aws:iam::123456789012:role/consul-ecs/*',
        'arn:aws:iam::999999999999:role/other/*',
      ],
      EnableIAMEntityDetails: true,
      IAMEntityTags: [
        'consul.hashicorp.com.gateway-kind',
        'consul.hashicorp.com.namespace',
        'consul.hashicorp.com.service-name',
        'team',
      ],
      ServerIDHeaderValue: 'consul.example',
    });
  });

  it('is a fixed point: merging again changes nothing, and drops non-string entries', () => {
    const once = mergeAuthMethod({ ...ours, Config: { ...ours.Config, IAMEntityTags: [7, 'x'] } }, ours);
    expect(once.Config.IAMEntityTags).to.not.include(7);
    expect(mergeAuthMethod(once, ours)).to.deep.equal(once);
  });

  it('trusts the roles under the path in the account, as consul-ecs v0.10 writes the pattern', () => {
    expect(boundPrincipalArn('123456789012', '/consul-ecs/')).to.equal(
      'arn:aws:iam::123456789012:role/consul-ecs/*',
    );
    expect(boundPrincipalArn('123456789012', 'a/b')).to.equal('arn:aws:iam::123456789012:role/a/b/*');
    expect(boundPrincipalArn('123456789012', '/')).to.equal('arn:aws:iam::123456789012:role/*');
  });
});
