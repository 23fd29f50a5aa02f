import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { rejectionOf } from '../expect-error.js';
import { type SecretsFixture, startSecretsFixture } from './fixture.js';

describe('Secrets Manager emulator: secret values and versions', () => {
  let clock: ManualClock;
  let fixture: SecretsFixture;

  beforeEach(async () => {
    clock = new ManualClock();
    fixture = await startSecretsFixture({ clock });
  });
  afterEach(() => fixture.close());

  const get = (input: Record<string, string> = {}) =>
    fixture.sm.send(new GetSecretValueCommand({ SecretId: 'token', ...input }));

  it('PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the old one', async () => {
    const v1 = await fixture.sm.send(new CreateSecretCommand({ Name: 'token', SecretString: 'one' }));
    const v2 = await fixture.sm.send(new PutSecretValueCommand({ SecretId: 'token', SecretString: 'two' }));
    expect(v2.VersionStages).to.deep.equal(['AWSCURRENT']);
    const v3 = await fixture.sm.send(new PutSecretValueCommand({ SecretId: 'token', SecretString: 'three' }));
    expect((await get()).SecretString).to.equal('three');
    expect((await get()).VersionId).to.equal(v3.VersionId);
    expect((await get({ VersionStage: 'AWSPREVIOUS' })).SecretString).to.equal('two');
    expect((await get({ VersionId: v2.VersionId ?? '' })).VersionStages).to.deep.equal(['AWSPREVIOUS']);
    const described = await fixture.sm.send(new DescribeSecretCommand({ SecretId: 'token' }));
    expect(Object.keys(described.VersionIdsToStages ?? {})).to.have.members([v2.VersionId, v3.VersionId]);
    const dropped = await rejectionOf(get({ VersionId: v1.VersionId ?? '' }));
    expect(dropped.name).to.equal('ResourceNotFoundException');
  });

  it('GetSecretValue returns the version date, stages and binary values as sent', async () => {
    await fixture.sm.send(
      new CreateSecretCommand({ Name: 'token', SecretBinary: new Uint8Array([1, 2, 3]) }),
    );
    const out = await get();
    expect([...(out.SecretBinary ?? [])]).to.deep.equal([1, 2, 3]);
    expect(out.SecretString).to.equal(undefined);
    expect(out.VersionStages).to.deep.equal(['AWSCURRENT']);
    expect(out.CreatedDate?.getTime()).to.equal(clock.now());
  });

  it('a repeated ClientRequestToken with the same value is idempotent, with another value refused', async () => {
    await fixture.sm.send(new CreateSecretCommand({ Name: 'token', SecretString: 'one' }));
    const token = 'b'.repeat(32);
    const first = await fixture.sm.send(
      new PutSecretValueCommand({ SecretId: 'token', SecretString: 'two', ClientRequestToken: token }),
    );
    const again = await fixture.sm.send(
      new PutSecretValueCommand({ SecretId: 'token', SecretString: 'two', ClientRequestToken: token }),
    );
    expect(again.VersionId).to.equal(first.VersionId);
    expect((await get({ VersionStage: 'AWSPREVIOUS' })).SecretString).to.equal('one');
    const changed = await rejectionOf(
      fixture.sm.send(
        new PutSecretValueCommand({ SecretId: 'token', SecretString: 'other', ClientRequestToken: token }),
      ),
    );
    expect(changed.name).to.equal('InvalidRequestException');
  });

  it('PutSecretValue with custom VersionStages leaves AWSCURRENT where it was', async () => {
    await fixture.sm.send(new CreateSecretCommand({ Name: 'token', SecretString: 'one' }));
    await fixture.sm.send(
      new PutSecretValueCommand({ SecretId: 'token', SecretString: 'staged', VersionStages: ['NEXT'] }),
    );
    expect((await get()).SecretString).to.equal('one');
    expect((await get({ VersionStage: 'NEXT' })).SecretString).to.equal('staged');
  });

  it('reports a secret without a value and unknown secrets as ResourceNotFoundException', async () => {
    await fixture.sm.send(new CreateSecretCommand({ Name: 'token' }));
    const noValue = await rejectionOf(get());
    expect(noValue.name).to.equal('ResourceNotFoundException');
    expect(noValue.message).to.contain('AWSCURRENT');
    const unknown = await rejectionOf(get({ SecretId: 'ghost' }));
    expect(unknown.name).to.equal('ResourceNotFoundException');
    expect(unknown.message).to.equal("Secrets Manager can't find the specified secret.");
    const put = await rejectionOf(
      fixture.sm.send(new PutSecretValueCommand({ SecretId: 'ghost', SecretString: 'x' })),
    );
    expect(put.name).to.equal('ResourceNotFoundException');
  });

  it('PutSecretValue without a value is InvalidParameterException', async () => {
    await fixture.sm.send(new CreateSecretCommand({ Name: 'token', SecretString: 'one' }));
    const error = await rejectionOf(fixture.sm.send(new PutSecretValueCommand({ SecretId: 'token' })));
    expect(error.name).to.equal('InvalidParameterException');
  });

  it('records LastAccessedDate as the day of the last read', async () => {
    await fixture.sm.send(new CreateSecretCommand({ Name: 'token', SecretString: 'one' }));
    await get();
    const described = await fixture.sm.send(new DescribeSecretCommand({ SecretId: 'token' }));
    const day = clock.now() - (clock.now() % 86_400_000);
    expect(described.LastAccessedDate?.getTime()).to.equal(day);
  });
});
