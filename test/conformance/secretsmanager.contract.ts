// Secrets Manager contract: the behaviour of AWS Secrets Manager our controllers rely on, as
// cases that run unchanged against every Secrets Manager backend.
// Invariants:
// - every case uses its own uniquely named secrets, so cases are order-independent;
// - error expectations name the AWS error code only (never the HTTP status: moto answers
//   ResourceNotFoundException with 404 where AWS uses 400);
// - expectations are AWS's documented behaviour; backend gaps live in departures.ts.
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  type Filter,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';
import type { BackendInstance } from './harness/backend.js';
import { uniqueName, type Contract, type ContractCase } from './harness/contract.js';
import { expectAwsError } from './harness/expect-error.js';

export interface SecretsManagerContext {
  sm: SecretsManagerClient;
}

function makeContext(instance: BackendInstance): SecretsManagerContext {
  return {
    sm: new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: instance.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    }),
  };
}

async function create(ctx: SecretsManagerContext, name: string, value = 'v1', tags?: Tag[]): Promise<string> {
  const out = await ctx.sm.send(
    new CreateSecretCommand({ Name: name, SecretString: value, ...(tags ? { Tags: tags } : {}) }),
  );
  expect(out.Name).to.equal(name);
  return out.ARN ?? '';
}

async function value(ctx: SecretsManagerContext, id: string, stage?: string): Promise<string | undefined> {
  const out = await ctx.sm.send(
    new GetSecretValueCommand({ SecretId: id, ...(stage ? { VersionStage: stage } : {}) }),
  );
  return out.SecretString;
}

async function listNames(ctx: SecretsManagerContext, filters: Filter[]): Promise<string[]> {
  const out = await ctx.sm.send(new ListSecretsCommand({ Filters: filters }));
  return (out.SecretList ?? []).map((s) => s.Name ?? '').sort();
}

const cases: ContractCase<SecretsManagerContext>[] = [
  {
    name: 'CreateSecret returns an ARN with a 6-character suffix and GetSecretValue returns AWSCURRENT',
    async run(ctx) {
      const name = uniqueName('secret');
      const arn = await create(ctx, name, '{"token":"abc"}');
      expect(arn).to.match(
        new RegExp(`^arn:aws:secretsmanager:us-east-1:\\d{12}:secret:${name}-[A-Za-z0-9]{6}$`),
      );
      const out = await ctx.sm.send(new GetSecretValueCommand({ SecretId: name }));
      expect(out.SecretString).to.equal('{"token":"abc"}');
      expect(out.ARN).to.equal(arn);
      expect(out.Name).to.equal(name);
      expect(out.VersionStages).to.include('AWSCURRENT');
      expect(out.VersionId ?? '').to.have.length.greaterThan(0);
    },
  },
  {
    name: 'PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the old one',
    async run(ctx) {
      const name = uniqueName('secret');
      await create(ctx, name, 'old');
      const first = await ctx.sm.send(new GetSecretValueCommand({ SecretId: name }));
      const put = await ctx.sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'new' }));
      expect(put.VersionStages).to.deep.equal(['AWSCURRENT']);
      expect(put.VersionId).to.not.equal(first.VersionId);
      expect(await value(ctx, name)).to.equal('new');
      expect(await value(ctx, name, 'AWSPREVIOUS')).to.equal('old');
      const described = await ctx.sm.send(new DescribeSecretCommand({ SecretId: name }));
      expect(described.VersionIdsToStages?.[put.VersionId ?? '']).to.deep.equal(['AWSCURRENT']);
      expect(described.VersionIdsToStages?.[first.VersionId ?? '']).to.deep.equal(['AWSPREVIOUS']);
    },
  },
  {
    name: 'UpdateSecret changes the description and the value; DescribeSecret shows the description',
    async run(ctx) {
      const name = uniqueName('secret');
      await create(ctx, name, 'before');
      const updated = await ctx.sm.send(
        new UpdateSecretCommand({ SecretId: name, Description: 'described', SecretString: 'after' }),
      );
      expect(updated.Name).to.equal(name);
      expect(await value(ctx, name)).to.equal('after');
      expect(await value(ctx, name, 'AWSPREVIOUS'), 'the old value stays recoverable').to.equal('before');
      const described = await ctx.sm.send(new DescribeSecretCommand({ SecretId: name }));
      expect(described.Description).to.equal('described');
      expect(described.DeletedDate).to.equal(undefined);
    },
  },
  {
    name: 'DeleteSecret with a recovery window blocks reads until RestoreSecret',
    async run(ctx) {
      const name = uniqueName('secret');
      await create(ctx, name, 'kept');
      const deleted = await ctx.sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
      expect(deleted.Name).to.equal(name);
      expect(deleted.DeletionDate).to.be.instanceOf(Date);
      await expectAwsError(
        ctx.sm.send(new GetSecretValueCommand({ SecretId: name })),
        'InvalidRequestException',
      );
      const described = await ctx.sm.send(new DescribeSecretCommand({ SecretId: name }));
      expect(described.DeletedDate).to.be.instanceOf(Date);
      await ctx.sm.send(new RestoreSecretCommand({ SecretId: name }));
      expect(await value(ctx, name)).to.equal('kept');
    },
  },
  {
    name: 'UpdateSecret on a secret scheduled for deletion gives InvalidRequestException',
    async run(ctx) {
      const name = uniqueName('secret');
      await create(ctx, name);
      await ctx.sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
      await expectAwsError(
        ctx.sm.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'x' })),
        'InvalidRequestException',
      );
    },
  },
  {
    name: 'PutSecretValue on a secret scheduled for deletion gives InvalidRequestException',
    async run(ctx) {
      const name = uniqueName('secret');
      await create(ctx, name);
      await ctx.sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
      await expectAwsError(
        ctx.sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'x' })),
        'InvalidRequestException',
      );
    },
  },
  {
    name: 'CreateSecret over a name scheduled for deletion gives InvalidRequestException',
    async run(ctx) {
      const name = uniqueName('secret');
      await create(ctx, name);
      await ctx.sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
      await expectAwsError(create(ctx, name, 'again'), 'InvalidRequestException');
    },
  },
  {
    name: 'ForceDeleteWithoutRecovery removes the secret: GetSecretValue gives ResourceNotFoundException',
    async run(ctx) {
      const name = uniqueName('secret');
      await create(ctx, name);
      await ctx.sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
      await expectAwsError(
        ctx.sm.send(new GetSecretValueCommand({ SecretId: name })),
        'ResourceNotFoundException',
      );
      await expectAwsError(
        ctx.sm.send(new DescribeSecretCommand({ SecretId: name })),
        'ResourceNotFoundException',
      );
    },
  },
  {
    name: 'GetSecretValue of an unknown secret gives ResourceNotFoundException',
    async run(ctx) {
      await expectAwsError(
        ctx.sm.send(new GetSecretValueCommand({ SecretId: uniqueName('missing') })),
        'ResourceNotFoundException',
      );
    },
  },
  {
    name: 'CreateSecret with an existing name gives ResourceExistsException',
    async run(ctx) {
      const name = uniqueName('secret');
      await create(ctx, name, 'one');
      await expectAwsError(create(ctx, name, 'two'), 'ResourceExistsException');
      expect(await value(ctx, name)).to.equal('one');
    },
  },
  {
    name: 'SecretId accepts the name, the full ARN and the partial ARN',
    async run(ctx) {
      const name = uniqueName('secret');
      const arn = await create(ctx, name, 'by-id');
      const partial = arn.slice(0, -7); // without "-XXXXXX"
      expect(partial.endsWith(`:secret:${name}`)).to.equal(true);
      for (const id of [name, arn, partial]) expect(await value(ctx, id), id).to.equal('by-id');
    },
  },
  {
    name: 'ListSecrets filters by name prefix and tag key and excludes scheduled deletions',
    async run(ctx) {
      const prefix = uniqueName('list');
      await create(ctx, `${prefix}/a`, 'a', [{ Key: 'team', Value: 'mesh' }]);
      await create(ctx, `${prefix}/b`, 'b');
      await create(ctx, `${prefix}/c`, 'c', [{ Key: 'team', Value: 'other' }]);
      await ctx.sm.send(new DeleteSecretCommand({ SecretId: `${prefix}/c`, RecoveryWindowInDays: 7 }));
      expect(await listNames(ctx, [{ Key: 'name', Values: [prefix] }])).to.deep.equal([
        `${prefix}/a`,
        `${prefix}/b`,
      ]);
      expect(
        await listNames(ctx, [
          { Key: 'name', Values: [prefix] },
          { Key: 'tag-key', Values: ['team'] },
        ]),
      ).to.deep.equal([`${prefix}/a`]);
    },
  },
  {
    name: 'ListSecrets paginates with MaxResults and NextToken',
    async run(ctx) {
      const prefix = uniqueName('page');
      const names = [`${prefix}/1`, `${prefix}/2`, `${prefix}/3`];
      for (const name of names) await create(ctx, name);
      const pages: string[][] = [];
      let token: string | undefined;
      for (let i = 0; i < 10; i++) {
        const out = await ctx.sm.send(
          new ListSecretsCommand({
            Filters: [{ Key: 'name', Values: [prefix] }],
            MaxResults: 2,
            ...(token ? { NextToken: token } : {}),
          }),
        );
        pages.push((out.SecretList ?? []).map((s) => s.Name ?? ''));
        token = out.NextToken;
        if (token === undefined) break;
      }
      expect(pages.flat().sort()).to.deep.equal(names);
      expect(pages[0]).to.have.length(2);
      expect(pages.every((p) => p.length <= 2)).to.equal(true);
    },
  },
  {
    name: 'TagResource merges tags and UntagResource removes them',
    async run(ctx) {
      const name = uniqueName('secret');
      await create(ctx, name, 'v', [{ Key: 'a', Value: '1' }]);
      await ctx.sm.send(
        new TagResourceCommand({
          SecretId: name,
          Tags: [
            { Key: 'b', Value: '2' },
            { Key: 'a', Value: '3' },
          ],
        }),
      );
      const tagged = await ctx.sm.send(new DescribeSecretCommand({ SecretId: name }));
      expect(Object.fromEntries((tagged.Tags ?? []).map((t) => [t.Key, t.Value]))).to.deep.equal({
        a: '3',
        b: '2',
      });
      await ctx.sm.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['a'] }));
      const untagged = await ctx.sm.send(new DescribeSecretCommand({ SecretId: name }));
      expect((untagged.Tags ?? []).map((t) => [t.Key, t.Value])).to.deep.equal([['b', '2']]);
    },
  },
];

export const secretsManagerContract: Contract<SecretsManagerContext> = {
  service: 'secretsmanager',
  makeContext,
  cases,
};
