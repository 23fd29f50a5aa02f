// The envtest IAM evaluator against @cloud-copilot/iam-simulate (a maintained, independent
// simulator, a devDependency only) on generated policies and requests: both must reach the same
// decision (allow, implicit deny, explicit deny) on every case.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { expect } from 'chai';
import fc from 'fast-check';

import { evaluate, type IamRequest } from '../../../../envtest/aws/iam/evaluate.js';
import { parsePolicy, type PolicyStatementInput } from '../../../../envtest/aws/iam/policy.js';

const ACCOUNT = '111122223333';
const SM = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret`;

const actionPatterns = [
  '*',
  'secretsmanager:*',
  'secretsmanager:Get*',
  'secretsmanager:?utSecretValue',
  'SecretsManager:getsecretvalue',
  'secretsmanager:CreateSecret',
  'ecs:Describe?asks',
  'ecs:*',
];
const resourcePatterns = [
  '*',
  `${SM}:mesh-*`,
  'arn:aws:secretsmanager:*:*:secret:mesh-web-??????',
  'arn:aws:secretsmanager:us-east-1:*:secret:other-*',
  'arn:aws:secretsmanager:*',
  'arn:aws:secretsmanager:*:secret:*',
  `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/*`,
  'arn:aws:ecs:*:*:task/*',
];
const requests: IamRequest[] = [
  { action: 'secretsmanager:GetSecretValue', resource: `${SM}:mesh-web-AbCdEf` },
  { action: 'secretsmanager:PutSecretValue', resource: `${SM}:other-db-123456` },
  {
    action: 'secretsmanager:CreateSecret',
    resource: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:mesh-x-QwErTy`,
  },
  { action: 'ecs:DescribeTasks', resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/0123abcd` },
];
const conditionKeys: Array<{ key: string; arn?: boolean; multi?: boolean; values: string[] }> = [
  { key: 'aws:RequestTag/team', values: ['mesh', 'Mesh', 'ops'] },
  { key: 'aws:TagKeys', multi: true, values: ['team', 'owner', 'te*'] },
  {
    key: 'aws:SourceArn',
    arn: true,
    values: [`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`, 'arn:aws:ecs:*:*:cluster/pr*', 'arn:aws:ecs:*'],
  },
];
const stringOperators = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
];
const arnOperators = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];

const condition = fc
  .record({
    which: fc.nat(conditionKeys.length - 1),
    operator: fc.nat(100),
    ifExists: fc.boolean(),
    set: fc.constantFrom('', 'ForAllValues:', 'ForAnyValue:'),
    values: fc.subarray([0, 1, 2], { minLength: 1 }),
  })
  .map(({ which, operator, ifExists, set, values }) => {
    const key = conditionKeys[which] as (typeof conditionKeys)[number];
    const operators = key.arn ? arnOperators : stringOperators;
    const base = `${operators[operator % operators.length]}${ifExists ? 'IfExists' : ''}`;
    const op = key.multi ? `${set === '' ? 'ForAllValues:' : set}${base}` : base;
    return { [op]: { [key.key]: values.map((i) => key.values[i] as string) } };
  });

const statement: fc.Arbitrary<PolicyStatementInput> = fc
  .record({
    deny: fc.boolean(),
    notAction: fc.boolean(),
    notResource: fc.boolean(),
    actions: fc.subarray(actionPatterns, { minLength: 1, maxLength: 2 }),
    resources: fc.subarray(resourcePatterns, { minLength: 1, maxLength: 2 }),
    condition: fc.option(condition, { nil: undefined }),
  })
  .map((s) => ({
    Effect: s.deny ? 'Deny' : 'Allow',
    ...(s.notAction ? { NotAction: s.actions } : { Action: s.actions }),
    // envtest refuses short ARNs in NotResource (see policy.ts); they stay in Resource only.
    ...(s.notResource && s.resources.every((r) => r === '*' || r.split(':').length >= 6)
      ? { NotResource: s.resources }
      : { Resource: s.resources }),
    ...(s.condition ? { Condition: s.condition } : {}),
  }));

const context = fc.record(
  {
    'aws:RequestTag/team': fc.constantFrom('mesh', 'ops'),
    'aws:TagKeys': fc.subarray(['team', 'owner']),
    'aws:SourceArn': fc.constantFrom(
      `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`,
      `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/dev`,
    ),
  },
  { requiredKeys: [] },
);

const ORACLE: Record<string, string> = {
  Allowed: 'allow',
  ImplicitlyDenied: 'implicit-deny',
  ExplicitlyDenied: 'explicit-deny',
};

async function oracle(statements: PolicyStatementInput[], request: IamRequest): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'p', policy: { Version: '2012-10-17', Statement: statements } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: request.action,
        principal: `arn:aws:iam::${ACCOUNT}:role/envtest`,
        resource: { accountId: ACCOUNT, resource: request.resource },
        contextVariables: { ...(request.context as Record<string, string | string[]>) },
      },
    },
    {},
  );
  // A request on "*" (an action without resource types) is a "wildcard" simulation.
  const outcome =
    result.resultType === 'single'
      ? result.result.analysis.result
      : result.resultType === 'wildcard'
        ? result.overallResult
        : undefined;
  const decision = outcome === undefined ? undefined : ORACLE[outcome];
  if (decision === undefined) throw new Error(`iam-simulate: ${JSON.stringify(result).slice(0, 500)}`);
  return decision;
}

describe('envtest IAM evaluator agrees with iam-simulate', function () {
  this.timeout(120_000);

  it('on generated policies, requests and contexts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(statement, { minLength: 1, maxLength: 3 }),
        fc.constantFrom(...requests),
        context,
        async (statements, base, ctx) => {
          const request = { ...base, context: ctx };
          const ours = evaluate(
            [parsePolicy({ Version: '2012-10-17', Statement: statements })],
            request,
          ).decision;
          expect(ours, JSON.stringify({ statements, request })).to.equal(await oracle(statements, request));
        },
      ),
      { numRuns: 400, seed: 14 },
    );
  });

  it('on config/iam/controller-policy.json style conditions (ecs:cluster, request tags)', async () => {
    const cluster = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`;
    const statements: PolicyStatementInput[] = [
      {
        Effect: 'Allow',
        Action: 'ecs:ListTasks',
        Resource: '*',
        Condition: { ArnEquals: { 'ecs:cluster': cluster } },
      },
      {
        Effect: 'Allow',
        Action: 'ecs:DescribeTasks',
        Resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/*`,
        Condition: { ArnEquals: { 'ecs:cluster': cluster } },
      },
    ];
    const cases: IamRequest[] = [
      { action: 'ecs:ListTasks', resource: '*', context: { 'ecs:cluster': cluster } },
      { action: 'ecs:ListTasks', resource: '*', context: { 'ecs:cluster': cluster.replace('prod', 'dev') } },
      {
        action: 'ecs:DescribeTasks',
        resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/1`,
        context: { 'ecs:cluster': cluster },
      },
      {
        action: 'ecs:DescribeTasks',
        resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/dev/1`,
        context: { 'ecs:cluster': cluster },
      },
    ];
    const decisions = [];
    for (const request of cases) {
      const ours = evaluate([parsePolicy({ Statement: statements })], request).decision;
      expect(ours).to.equal(await oracle(statements, request));
      decisions.push(ours);
    }
    expect(decisions).to.deep.equal(['allow', 'implicit-deny', 'allow', 'implicit-deny']);
  });
});
