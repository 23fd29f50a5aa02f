import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';

import { DAY_MS } from '../../../envtest/secretsmanager/store.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { rejectionOf } from '../expect-error.js';
import { type SecretsFixture, startSecretsFixture } from './fixture.js';

const MARKED = "You can't perform this operation on the secret because it was marked for deletion.";

describe('Secrets Manager emulator: secrets', () => {
  let clock: ManualClock;
  let fixture: SecretsFixture;
  const start = 1_700_000_000_000;

  beforeEach(async () => {
    clock = new ManualClock(start);
    fixture = await startSecretsFixture({ clock, region: 'eu-west-1', accountId: '111122223333' });
  });
  afterEach(() => fixture.close());

  const create = (name = 'consul/acl/web', extra: Record<string, unknown> = {}) =>
    fixture.sm.send(new CreateSecretCommand({ Name: name, SecretString: '{"token":"t1"}', ...extra }));

  it('CreateSecret returns an ARN with a 6-character suffix, the name and the version id', async () => {
    const created = await create();
    expect(created.ARN).to.match(
      /^arn:aws:secretsmanager:eu-west-1:111122223333:secret:consul\/acl\/web-[A-Za-z0-9]{6}$/,
    );
    expect(created.Name).to.equal('consul/acl/web');
    expect(created.VersionId).to.be.a('string');
  });

  it('finds a secret by name, full ARN and partial ARN', async () => {
    const { ARN } = await create();
    const arn = ARN ?? '';
    for (const id of ['consul/acl/web', arn, arn.slice(0, -7)]) {
      const value = await fixture.sm.send(new GetSecretValueCommand({ SecretId: id }));
      expect(value.SecretString, id).to.equal('{"token":"t1"}');
      expect(value.ARN).to.equal(arn);
    }
    const wrongSuffix = await rejectionOf(
      fixture.sm.send(new GetSecretValueCommand({ SecretId: `${arn.slice(0, -6)}zzzzzz` })),
    );
    expect(wrongSuffix.name).to.equal('ResourceNotFoundException');
  });

  it('CreateSecret over an existing name is ResourceExistsException; a repeated token is idempotent', async () => {
    const first = await create('dup', { ClientRequestToken: 'a'.repeat(32) });
    const repeated = await create('dup', { ClientRequestToken: 'a'.repeat(32) });
    expect(repeated.ARN).to.equal(first.ARN);
    expect(repeated.VersionId).to.equal('a'.repeat(32));
    const error = await rejectionOf(create('dup'));
    expect(error.name).to.equal('ResourceExistsException');
    expect(error.$metadata?.httpStatusCode).to.equal(400);
  });

  it('CreateSecret rejects a string and a binary value together and an invalid name', async () => {
    const both = await rejectionOf(create('both', { SecretBinary: new Uint8Array([1, 2]) }));
    expect(both.name).to.equal('InvalidParameterException');
    const badName = await rejectionOf(create('bad name!'));
    expect(badName.name).to.equal('InvalidParameterException');
  });

  it('DescribeSecret returns metadata, tags and version stages, never the value', async () => {
    await create('described', {
      Description: 'ACL token for web',
      KmsKeyId: 'alias/aws/secretsmanager',
      Tags: [{ Key: 'consul.hashicorp.com/managed-by', Value: 'acl-controller' }],
    });
    const out = await fixture.sm.send(new DescribeSecretCommand({ SecretId: 'described' }));
    expect(out).to.include({ Name: 'described', Description: 'ACL token for web' });
    expect(out.Tags).to.deep.equal([{ Key: 'consul.hashicorp.com/managed-by', Value: 'acl-controller' }]);
    expect(Object.values(out.VersionIdsToStages ?? {})).to.deep.equal([['AWSCURRENT']]);
    expect(out.CreatedDate?.getTime()).to.equal(start);
    expect(out.DeletedDate).to.equal(undefined);
    // The value never leaks into DescribeSecret: no value field, and not its quoted "t1" anywhere
    // (a bare t1 may occur in the random ARN suffix).
    expect(out).to.not.have.any.keys('SecretString', 'SecretBinary');
    expect(JSON.stringify(out)).to.not.contain('\\"t1\\"');
  });

  it('UpdateSecret changes the description and, given a value, makes a new AWSCURRENT version', async () => {
    const created = await create();
    await clock.advance(5_000);
    const updated = await fixture.sm.send(
      new UpdateSecretCommand({ SecretId: 'consul/acl/web', Description: 'new', SecretString: 'v2' }),
    );
    expect(updated.VersionId).to.be.a('string').and.not.equal(created.VersionId);
    const described = await fixture.sm.send(new DescribeSecretCommand({ SecretId: 'consul/acl/web' }));
    expect(described.Description).to.equal('new');
    expect(described.LastChangedDate?.getTime()).to.equal(start + 5_000);
    expect(described.VersionIdsToStages).to.deep.equal({
      [created.VersionId ?? '']: ['AWSPREVIOUS'],
      [updated.VersionId ?? '']: ['AWSCURRENT'],
    });
    const missing = await rejectionOf(
      fixture.sm.send(new UpdateSecretCommand({ SecretId: 'ghost', Description: 'x' })),
    );
    expect(missing.name).to.equal('ResourceNotFoundException');
  });

  it('DeleteSecret schedules deletion (default 30 days); the secret is then refused but describable', async () => {
    await create();
    const deleted = await fixture.sm.send(new DeleteSecretCommand({ SecretId: 'consul/acl/web' }));
    expect(deleted.DeletionDate?.getTime()).to.equal(start + 30 * DAY_MS);
    const described = await fixture.sm.send(new DescribeSecretCommand({ SecretId: 'consul/acl/web' }));
    expect(described.DeletedDate?.getTime()).to.equal(start);
    for (const attempt of [
      fixture.sm.send(new GetSecretValueCommand({ SecretId: 'consul/acl/web' })),
      fixture.sm.send(new PutSecretValueCommand({ SecretId: 'consul/acl/web', SecretString: 'x' })),
      fixture.sm.send(new UpdateSecretCommand({ SecretId: 'consul/acl/web', SecretString: 'x' })),
    ]) {
      const error = await rejectionOf(attempt);
      expect(error.name).to.equal('InvalidRequestException');
      expect(error.message).to.equal(MARKED);
    }
    const recreate = await rejectionOf(create());
    expect(recreate.name).to.equal('InvalidRequestException');
    const again = await rejectionOf(fixture.sm.send(new DeleteSecretCommand({ SecretId: 'consul/acl/web' })));
    expect(again.name).to.equal('InvalidRequestException');
  });

  it('RestoreSecret clears the deletion mark and the value is readable again', async () => {
    await create();
    await fixture.sm.send(new DeleteSecretCommand({ SecretId: 'consul/acl/web', RecoveryWindowInDays: 7 }));
    const restored = await fixture.sm.send(new RestoreSecretCommand({ SecretId: 'consul/acl/web' }));
    expect(restored.Name).to.equal('consul/acl/web');
    const described = await fixture.sm.send(new DescribeSecretCommand({ SecretId: 'consul/acl/web' }));
    expect(described.DeletedDate).to.equal(undefined);
    const value = await fixture.sm.send(new GetSecretValueCommand({ SecretId: 'consul/acl/web' }));
    expect(value.SecretString).to.equal('{"token":"t1"}');
    const missing = await rejectionOf(fixture.sm.send(new RestoreSecretCommand({ SecretId: 'ghost' })));
    expect(missing.name).to.equal('ResourceNotFoundException');
  });

  it('purges a scheduled secret once its recovery window has passed on the clock', async () => {
    await create();
    await fixture.sm.send(new DeleteSecretCommand({ SecretId: 'consul/acl/web', RecoveryWindowInDays: 7 }));
    await clock.advance(7 * DAY_MS - 1);
    await fixture.sm.send(new DescribeSecretCommand({ SecretId: 'consul/acl/web' }));
    await clock.advance(1);
    const gone = await rejectionOf(
      fixture.sm.send(new DescribeSecretCommand({ SecretId: 'consul/acl/web' })),
    );
    expect(gone.name).to.equal('ResourceNotFoundException');
    expect((await create()).Name).to.equal('consul/acl/web');
  });

  it('ForceDeleteWithoutRecovery removes the secret at once so the name is reusable', async () => {
    const first = await create();
    const deleted = await fixture.sm.send(
      new DeleteSecretCommand({ SecretId: 'consul/acl/web', ForceDeleteWithoutRecovery: true }),
    );
    expect(deleted.DeletionDate?.getTime()).to.equal(start);
    const missing = await rejectionOf(
      fixture.sm.send(new DescribeSecretCommand({ SecretId: 'consul/acl/web' })),
    );
    expect(missing.name).to.equal('ResourceNotFoundException');
    const second = await create();
    expect(second.ARN).to.not.equal(first.ARN);
  });

  it('DeleteSecret validates the recovery window and refuses it together with force', async () => {
    await create();
    for (const days of [6, 31]) {
      const error = await rejectionOf(
        fixture.sm.send(new DeleteSecretCommand({ SecretId: 'consul/acl/web', RecoveryWindowInDays: days })),
      );
      expect(error.name, String(days)).to.equal('InvalidParameterException');
    }
    const both = await rejectionOf(
      fixture.sm.send(
        new DeleteSecretCommand({
          SecretId: 'consul/acl/web',
          RecoveryWindowInDays: 7,
          ForceDeleteWithoutRecovery: true,
        }),
      ),
    );
    expect(both.name).to.equal('InvalidParameterException');
    const unknown = await rejectionOf(fixture.sm.send(new DeleteSecretCommand({ SecretId: 'ghost' })));
    expect(unknown.name).to.equal('ResourceNotFoundException');
  });
});
