import {
  CreateSecretCommand,
  DescribeSecretCommand,
  ListSecretsCommand,
  TagResourceCommand,
  UpdateSecretCommand,
  type SortOrderType,
} from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { rejectionOf } from '../expect-error.js';
import { type SecretsFixture, startSecretsFixture } from './fixture.js';

describe('Secrets Manager emulator: parameter validation and metadata updates', () => {
  let fixture: SecretsFixture;

  beforeEach(async () => {
    fixture = await startSecretsFixture({ clock: new ManualClock() });
    await fixture.sm.send(new CreateSecretCommand({ Name: 'token', SecretString: 'v' }));
  });
  afterEach(() => fixture.close());

  it('UpdateSecret without a value changes only metadata and creates no version', async () => {
    const before = await fixture.sm.send(new DescribeSecretCommand({ SecretId: 'token' }));
    const updated = await fixture.sm.send(
      new UpdateSecretCommand({ SecretId: 'token', KmsKeyId: 'alias/custom' }),
    );
    expect(updated.VersionId).to.equal(undefined);
    const after = await fixture.sm.send(new DescribeSecretCommand({ SecretId: 'token' }));
    expect(after.KmsKeyId).to.equal('alias/custom');
    expect(after.VersionIdsToStages).to.deep.equal(before.VersionIdsToStages);
  });

  it('rejects reserved aws: tag keys and an empty tag list', async () => {
    const reserved = await rejectionOf(
      fixture.sm.send(
        new TagResourceCommand({ SecretId: 'token', Tags: [{ Key: 'aws:owner', Value: 'x' }] }),
      ),
    );
    expect(reserved.name).to.equal('InvalidParameterException');
    const empty = await rejectionOf(fixture.sm.send(new TagResourceCommand({ SecretId: 'token', Tags: [] })));
    expect(empty.name).to.equal('InvalidParameterException');
  });

  it('rejects an unknown SortOrder and filters without values', async () => {
    const sort = await rejectionOf(
      fixture.sm.send(new ListSecretsCommand({ SortOrder: 'sideways' as SortOrderType })),
    );
    expect(sort.name).to.equal('InvalidParameterException');
    const noValues = await rejectionOf(
      fixture.sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [] }] })),
    );
    expect(noValues.name).to.equal('InvalidParameterException');
  });
});
