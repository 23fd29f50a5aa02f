// The envtest IAM evaluator on hand-made cases: wildcards, NotAction/NotResource, Deny
// precedence, the condition operators and IAM's missing/multivalued key rules.
import { expect } from 'chai';

import { evaluate, type IamRequest } from '../../../../envtest/aws/iam/evaluate.js';
import {
  parsePolicy,
  type PolicyDocument,
  type PolicyStatementInput,
} from '../../../../envtest/aws/iam/policy.js';

const SECRET = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:mesh-web-AbCdEf';
const CLUSTER = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';

function decide(statements: PolicyStatementInput[], request: IamRequest): string {
  return evaluate([parsePolicy({ Version: '2012-10-17', Statement: statements })], request).decision;
}

const get = (context: IamRequest['context'] = {}): IamRequest => ({
  action: 'secretsmanager:GetSecretValue',
  resource: SECRET,
  context,
});

describe('envtest IAM evaluator', () => {
  it('matches actions case-insensitively with * and ?, and nothing else', () => {
    const allow = (Action: string) => decide([{ Effect: 'Allow', Action, Resource: '*' }], get());
    expect(allow('secretsmanager:GetSecretValue')).to.equal('allow');
    expect(allow('SecretsManager:getsecretvalue')).to.equal('allow');
    expect(allow('secretsmanager:Get*')).to.equal('allow');
    expect(allow('secretsmanager:?etSecretValue')).to.equal('allow');
    expect(allow('*')).to.equal('allow');
    expect(allow('secretsmanager:GetSecret')).to.equal('implicit-deny');
    expect(allow('ecs:GetSecretValue')).to.equal('implicit-deny');
  });

  it('matches resources field by field: wildcards never cross a colon, short ARNs are padded', () => {
    const allow = (Resource: string, resource = SECRET) =>
      decide([{ Effect: 'Allow', Action: '*', Resource }], { ...get(), resource });
    expect(allow('arn:aws:secretsmanager:us-east-1:111122223333:secret:mesh-*')).to.equal('allow');
    expect(allow('arn:aws:secretsmanager:*:*:secret:mesh-web-??????')).to.equal('allow');
    expect(allow('arn:aws:secretsmanager:*')).to.equal('allow');
    expect(allow('arn:aws:secretsmanager:*:secret:*')).to.equal('implicit-deny');
    expect(allow('arn:aws:secretsmanager:us-east-1:111122223333:secret:MESH-*')).to.equal('implicit-deny');
    expect(allow('arn:aws:secretsmanager:eu-west-1:*:secret:mesh-*')).to.equal('implicit-deny');
    // A call on "*" (no resource-level permission) is matched by Resource "*" only.
    expect(allow('arn:aws:ecs:*', '*')).to.equal('implicit-deny');
    expect(allow('*', '*')).to.equal('allow');
  });

  it('NotAction and NotResource invert the match, and a Deny wins wherever it is', () => {
    expect(decide([{ Effect: 'Allow', NotAction: 'secretsmanager:Put*', Resource: '*' }], get())).to.equal(
      'allow',
    );
    expect(decide([{ Effect: 'Allow', NotAction: 'secretsmanager:Get*', Resource: '*' }], get())).to.equal(
      'implicit-deny',
    );
    expect(
      decide(
        [{ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:secretsmanager:*:*:secret:other-*' }],
        get(),
      ),
    ).to.equal('allow');
    expect(decide([{ Effect: 'Allow', Action: '*', NotResource: SECRET }], get())).to.equal('implicit-deny');
    const both: PolicyStatementInput[] = [
      { Effect: 'Deny', Action: 'secretsmanager:*', Resource: '*' },
      { Effect: 'Allow', Action: '*', Resource: '*' },
    ];
    expect(decide(both, get())).to.equal('explicit-deny');
    const second = parsePolicy({ Statement: { Effect: 'Deny', Action: '*', Resource: SECRET } });
    const first = parsePolicy({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } });
    expect(evaluate([first, second], get()).decision).to.equal('explicit-deny');
  });

  it('the condition operators of config/iam/controller-policy.json', () => {
    const onCluster = (Condition: PolicyStatementInput['Condition'], cluster?: string) =>
      decide([{ Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*', Condition }], {
        action: 'ecs:ListTasks',
        resource: '*',
        context: cluster === undefined ? {} : { 'ecs:cluster': cluster },
      });
    expect(onCluster({ ArnEquals: { 'ecs:cluster': CLUSTER } }, CLUSTER)).to.equal('allow');
    expect(onCluster({ ArnEquals: { 'ecs:cluster': CLUSTER } }, `${CLUSTER}-2`)).to.equal('implicit-deny');
    expect(onCluster({ ArnEquals: { 'ecs:cluster': CLUSTER } })).to.equal('implicit-deny');
    expect(onCluster({ ArnLike: { 'ecs:cluster': 'arn:aws:ecs:*:*:cluster/pr*' } }, CLUSTER)).to.equal(
      'allow',
    );
    expect(onCluster({ ArnLike: { 'ecs:cluster': 'arn:aws:ecs:*' } }, CLUSTER)).to.equal('implicit-deny');
    const tag = 'ecs-acl-controller/created-by';
    const create = (context: IamRequest['context']) =>
      decide(
        [
          {
            Effect: 'Allow',
            Action: 'secretsmanager:CreateSecret',
            Resource: '*',
            Condition: {
              StringEquals: { [`aws:RequestTag/${tag}`]: 'ecs-acl-controller' },
              'ForAllValues:StringEquals': { 'aws:TagKeys': [tag] },
            },
          },
        ],
        { action: 'secretsmanager:CreateSecret', resource: SECRET, context },
      );
    expect(create({ [`aws:RequestTag/${tag}`]: 'ecs-acl-controller', 'aws:TagKeys': [tag] })).to.equal(
      'allow',
    );
    expect(create({ [`aws:requesttag/${tag}`]: 'ecs-acl-controller', 'aws:TagKeys': [tag] })).to.equal(
      'allow',
    );
    expect(create({ [`aws:RequestTag/${tag}`]: 'other', 'aws:TagKeys': [tag] })).to.equal('implicit-deny');
    expect(
      create({ [`aws:RequestTag/${tag}`]: 'ecs-acl-controller', 'aws:TagKeys': [tag, 'owner'] }),
    ).to.equal('implicit-deny');
    expect(create({})).to.equal('implicit-deny');
  });

  it('missing keys: negated and IfExists operators hold, ForAllValues holds, ForAnyValue does not', () => {
    const holds = (Condition: PolicyStatementInput['Condition'], context: IamRequest['context'] = {}) =>
      decide([{ Effect: 'Allow', Action: '*', Resource: '*', Condition }], get(context));
    expect(holds({ StringNotEquals: { 'secretsmanager:VersionStage': 'AWSPREVIOUS' } })).to.equal('allow');
    expect(holds({ StringEqualsIfExists: { 'secretsmanager:VersionStage': 'AWSCURRENT' } })).to.equal(
      'allow',
    );
    expect(holds({ StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' } })).to.equal(
      'implicit-deny',
    );
    expect(holds({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } })).to.equal('implicit-deny');
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'a' } })).to.equal('allow');
    expect(holds({ Null: { 'aws:TagKeys': 'true' } })).to.equal('allow');
    expect(holds({ Null: { 'aws:TagKeys': 'false' } })).to.equal('implicit-deny');
    // A multivalued key needs a set operator: single-valued operators never match it.
    expect(holds({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a'] })).to.equal(
      'implicit-deny',
    );
    expect(holds({ StringNotEquals: { 'aws:TagKeys': 'b' } }, { 'aws:TagKeys': ['a'] })).to.equal(
      'implicit-deny',
    );
    expect(
      holds({ 'ForAnyValue:StringLike': { 'aws:TagKeys': 'a*' } }, { 'aws:TagKeys': ['b', 'ab'] }),
    ).to.equal('allow');
    expect(
      holds(
        { StringEqualsIgnoreCase: { 'secretsmanager:VersionStage': 'awscurrent' } },
        {
          'secretsmanager:VersionStage': 'AWSCURRENT',
        },
      ),
    ).to.equal('allow');
    expect(holds({ Bool: { 'aws:SecureTransport': false } }, { 'aws:SecureTransport': 'false' })).to.equal(
      'allow',
    );
  });

  it('refuses what it cannot evaluate, at parse time', () => {
    const bad: Array<[PolicyDocument, string]> = [
      [
        {
          Statement: [
            {
              Effect: 'Allow',
              Action: '*',
              Resource: '*',
              Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01' } },
            },
          ],
        },
        'DateLessThan',
      ],
      [
        { Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::${aws:username}/*' }] },
        'policy variables',
      ],
      [
        { Statement: [{ Effect: 'Allow', Action: '*', NotAction: 'x:y', Resource: '*' }] },
        'exactly one of Action and NotAction',
      ],
      [{ Statement: [{ Effect: 'Allow', Action: '*' }] }, 'exactly one of Resource and NotResource'],
      [{ Statement: [{ Effect: 'Permit' as 'Allow', Action: '*', Resource: '*' }] }, 'Effect'],
      [
        {
          Statement: [
            { Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' } as PolicyStatementInput,
          ],
        },
        'Principal',
      ],
      [{ Version: '2020-01-01', Statement: [] }, 'Version'],
      [
        { Statement: [{ Effect: 'Deny', Action: '*', NotResource: 'arn:aws:sqs:*' }] },
        'short ARN in NotResource',
      ],
    ];
    for (const [document, reason] of bad) expect(() => parsePolicy(document)).to.throw(reason);
  });
});
