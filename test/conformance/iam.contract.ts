// IAM contract: identity policies enforced on ECS and Secrets Manager calls, as cases that run
// unchanged against every backend that can enforce them (envtest, moto with auth on).
// Invariants:
// - the principals and their policies are fixed (IAM_PRINCIPALS); each backend creates them
//   before the suite and hands back one key per principal plus an admin key;
// - every case names its own resources (uniqueName), so cases are order-independent;
// - "refused" cases also check the refused call changed nothing, through the admin key;
// - expectations are AWS's documented behaviour; backend gaps live in departures.ts.
import { CreateClusterCommand, ECSClient, ListServicesCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { AwsKey, BackendInstance } from './harness/backend.js';
import { uniqueName, type Contract, type ContractCase } from './harness/contract.js';
import { expectAwsError } from './harness/expect-error.js';

export const IAM_REGION = 'us-east-1';
export const IAM_ACCOUNT = '123456789012';
/** The upstream role's secret name prefix (name_prefix in terraform-aws-consul-ecs). */
export const UPSTREAM_PREFIX = 'iamc';
const SCOPED_CLUSTER = 'iam-prod';

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
export interface Policy {
  Version: '2012-10-17';
  Statement: Statement[];
}

const upstreamTemplate = readFileSync(
  fileURLToPath(
    new URL(
      '../../../test/fixtures/iam/terraform-aws-consul-ecs-v0.4.3-acl-controller-task-role.json',
      import.meta.url,
    ),
  ),
  'utf8',
);

/** The suite's principals: name → identity policy. */
export const IAM_PRINCIPALS: Record<string, Policy> = {
  upstream: JSON.parse(
    upstreamTemplate.replaceAll('${region}', IAM_REGION).replaceAll('${name_prefix}', UPSTREAM_PREFIX),
  ) as Policy,
  denyPut: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' },
      { Effect: 'Deny', Action: 'secretsmanager:PutSecretValue', Resource: '*' },
    ],
  },
  clusterScoped: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'ecs:ListServices',
        Resource: '*',
        Condition: {
          ArnEquals: { 'ecs:cluster': `arn:aws:ecs:${IAM_REGION}:${IAM_ACCOUNT}:cluster/${SCOPED_CLUSTER}` },
        },
      },
    ],
  },
};

interface Clients {
  ecs: ECSClient;
  sm: SecretsManagerClient;
}

export interface IamContext {
  admin: Clients;
  as(principal: keyof typeof IAM_PRINCIPALS): Clients;
}

function clients(ecsEndpoint: string, smEndpoint: string, key: AwsKey): Clients {
  const config = { region: IAM_REGION, credentials: key, maxAttempts: 1 };
  return {
    ecs: new ECSClient({ ...config, endpoint: ecsEndpoint }),
    sm: new SecretsManagerClient({ ...config, endpoint: smEndpoint }),
  };
}

function makeContext(instance: BackendInstance): IamContext {
  const iam = instance.iam;
  if (iam === undefined) throw new Error('this backend was not started for the IAM contract');
  const admin = clients(iam.ecsEndpoint, iam.secretsManagerEndpoint, iam.admin);
  const byName = new Map<string, Clients>();
  return {
    admin,
    as(principal) {
      const key = iam.principals[principal];
      if (key === undefined) throw new Error(`no key for principal ${principal}`);
      let found = byName.get(principal);
      if (found === undefined) {
        found = clients(iam.ecsEndpoint, iam.secretsManagerEndpoint, key);
        byName.set(principal, found);
      }
      return found;
    },
  };
}

async function refused(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => expect.fail('expected the call to be refused, but it succeeded'),
    (error: unknown) => error,
  );
}

const cases: ContractCase<IamContext>[] = [
  {
    name: 'upstream role: ecs:ListTasks is allowed on Resource "*"',
    async run(ctx) {
      const cluster = uniqueName('iam');
      await ctx.admin.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
      const out = await ctx.as('upstream').ecs.send(new ListTasksCommand({ cluster }));
      expect(out.taskArns).to.deep.equal([]);
    },
  },
  {
    name: 'upstream role: secretsmanager:PutSecretValue (no statement) is refused and changes nothing',
    async run(ctx) {
      const name = uniqueName(UPSTREAM_PREFIX);
      await ctx.admin.sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
      await refused(
        ctx.as('upstream').sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' })),
      );
      const value = await ctx.admin.sm.send(new GetSecretValueCommand({ SecretId: name }));
      expect(value.SecretString).to.equal('v1');
    },
  },
  {
    name: 'upstream role: secretsmanager:GetSecretValue is allowed on a secret matching <name_prefix>-*',
    async run(ctx) {
      const name = uniqueName(UPSTREAM_PREFIX);
      await ctx.admin.sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
      const value = await ctx.as('upstream').sm.send(new GetSecretValueCommand({ SecretId: name }));
      expect(value.SecretString).to.equal('v1');
    },
  },
  {
    name: 'a denied call answers AccessDeniedException (HTTP 400) naming the principal, the action and the resource ARN',
    async run(ctx) {
      const name = uniqueName(UPSTREAM_PREFIX);
      const arn = (await ctx.admin.sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }))).ARN;
      const error = (await expectAwsError(
        ctx.as('upstream').sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' })),
        'AccessDeniedException',
      )) as Error & { $metadata?: { httpStatusCode?: number } };
      expect(error.$metadata?.httpStatusCode).to.equal(400);
      expect(error.message).to.match(
        new RegExp(
          `^User: arn:aws:\\S+ is not authorized to perform: secretsmanager:PutSecretValue on resource: ${arn} because no identity-based policy allows the secretsmanager:PutSecretValue action$`,
        ),
      );
    },
  },
  {
    name: 'an explicit Deny on "*" wins over an Allow on "*"',
    async run(ctx) {
      const name = uniqueName('iam');
      await ctx.admin.sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
      const denyPut = ctx.as('denyPut').sm;
      expect((await denyPut.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).to.equal('v1');
      await refused(denyPut.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' })));
      expect((await ctx.admin.sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).to.equal(
        'v1',
      );
    },
  },
  {
    name: 'an ArnEquals ecs:cluster condition allows ListServices in that cluster only',
    async run(ctx) {
      const other = uniqueName('iam');
      await ctx.admin.ecs.send(new CreateClusterCommand({ clusterName: SCOPED_CLUSTER }));
      await ctx.admin.ecs.send(new CreateClusterCommand({ clusterName: other }));
      const scoped = ctx.as('clusterScoped').ecs;
      expect(
        (await scoped.send(new ListServicesCommand({ cluster: SCOPED_CLUSTER }))).serviceArns,
      ).to.deep.equal([]);
      await refused(scoped.send(new ListServicesCommand({ cluster: other })));
    },
  },
];

export const iamContract: Contract<IamContext> = { service: 'iam', makeContext, cases };
