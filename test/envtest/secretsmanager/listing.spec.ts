import {
  CreateSecretCommand,
  DeleteSecretCommand,
  ListSecretsCommand,
  type Filter,
  type ListSecretsCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { rejectionOf } from '../expect-error.js';
import { type SecretsFixture, startSecretsFixture } from './fixture.js';

describe('Secrets Manager emulator: ListSecrets', () => {
  let fixture: SecretsFixture;

  beforeEach(async () => {
    fixture = await startSecretsFixture({ clock: new ManualClock() });
    const seed: Array<[string, string, Array<[string, string]>]> = [
      [
        'consul/acl/web',
        'Token for the web service',
        [
          ['managed-by', 'acl-controller'],
          ['service', 'web'],
        ],
      ],
      [
        'consul/acl/api',
        'Token for the API',
        [
          ['managed-by', 'acl-controller'],
          ['service', 'api'],
        ],
      ],
      ['db/password', 'Database password', [['team', 'data']]],
      ['Consul-upper', 'Mixed case name', []],
    ];
    for (const [name, description, tags] of seed) {
      await fixture.sm.send(
        new CreateSecretCommand({
          Name: name,
          Description: description,
          SecretString: `value-of-${name}`,
          Tags: tags.map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    }
  });
  afterEach(() => fixture.close());

  async function names(input: ListSecretsCommandInput = {}): Promise<string[]> {
    const out = await fixture.sm.send(new ListSecretsCommand(input));
    return (out.SecretList ?? []).map((entry) => entry.Name ?? '');
  }
  const filtered = (...Filters: Filter[]) => names({ Filters });

  it('lists secret metadata with ARN, Name, Tags and version stages, never values', async () => {
    const out = await fixture.sm.send(new ListSecretsCommand({}));
    expect(out.SecretList?.map((entry) => entry.Name)).to.deep.equal([
      'consul/acl/web',
      'consul/acl/api',
      'db/password',
      'Consul-upper',
    ]);
    const web = out.SecretList?.[0];
    expect(web?.ARN).to.match(/:secret:consul\/acl\/web-[A-Za-z0-9]{6}$/);
    expect(web?.Tags).to.deep.equal([
      { Key: 'managed-by', Value: 'acl-controller' },
      { Key: 'service', Value: 'web' },
    ]);
    expect(Object.values(web?.SecretVersionsToStages ?? {})).to.deep.equal([['AWSCURRENT']]);
    expect(JSON.stringify(out)).to.not.contain('value-of-');
  });

  it('filters by name prefix, case-sensitively', async () => {
    expect(await filtered({ Key: 'name', Values: ['consul/'] })).to.deep.equal([
      'consul/acl/web',
      'consul/acl/api',
    ]);
    expect(await filtered({ Key: 'name', Values: ['Consul'] })).to.deep.equal(['Consul-upper']);
    expect(await filtered({ Key: 'name', Values: ['acl'] })).to.deep.equal([]);
  });

  it('filters by tag key and tag value prefixes', async () => {
    expect(await filtered({ Key: 'tag-key', Values: ['managed'] })).to.deep.equal([
      'consul/acl/web',
      'consul/acl/api',
    ]);
    expect(await filtered({ Key: 'tag-value', Values: ['web'] })).to.deep.equal(['consul/acl/web']);
  });

  it('ANDs filters, ORs values and supports ! negation', async () => {
    expect(
      await filtered({ Key: 'tag-key', Values: ['managed-by'] }, { Key: 'tag-value', Values: ['api'] }),
    ).to.deep.equal(['consul/acl/api']);
    expect(await filtered({ Key: 'name', Values: ['db/', 'Consul'] })).to.deep.equal([
      'db/password',
      'Consul-upper',
    ]);
    expect(await filtered({ Key: 'name', Values: ['!consul/'] })).to.deep.equal([
      'db/password',
      'Consul-upper',
    ]);
  });

  it('matches description and all by word prefix, case-insensitively', async () => {
    expect(await filtered({ Key: 'description', Values: ['token'] })).to.deep.equal([
      'consul/acl/web',
      'consul/acl/api',
    ]);
    expect(await filtered({ Key: 'description', Values: ['PASS'] })).to.deep.equal(['db/password']);
    expect(await filtered({ Key: 'all', Values: ['data'] })).to.deep.equal(['db/password']);
    expect(await filtered({ Key: 'all', Values: ['acl'] })).to.deep.equal([
      'consul/acl/web',
      'consul/acl/api',
    ]);
  });

  it('rejects an unknown filter key', async () => {
    const error = await rejectionOf(
      fixture.sm.send(
        new ListSecretsCommand({ Filters: [{ Key: 'colour' as Filter['Key'], Values: ['x'] }] }),
      ),
    );
    expect(error.name).to.equal('InvalidParameterException');
  });

  it('pages with MaxResults and NextToken, and rejects a forged token', async () => {
    const first = await fixture.sm.send(new ListSecretsCommand({ MaxResults: 3 }));
    expect(first.SecretList).to.have.length(3);
    expect(first.NextToken).to.be.a('string');
    const second = await fixture.sm.send(
      new ListSecretsCommand({ MaxResults: 3, NextToken: first.NextToken }),
    );
    expect(second.SecretList?.map((e) => e.Name)).to.deep.equal(['Consul-upper']);
    expect(second.NextToken).to.equal(undefined);
    const forged = await rejectionOf(fixture.sm.send(new ListSecretsCommand({ NextToken: 'forged!' })));
    expect(forged.name).to.equal('InvalidNextTokenException');
    const tooMany = await rejectionOf(fixture.sm.send(new ListSecretsCommand({ MaxResults: 101 })));
    expect(tooMany.name).to.equal('InvalidParameterException');
  });

  it('pages in descending order with SortOrder desc', async () => {
    const first = await fixture.sm.send(new ListSecretsCommand({ MaxResults: 2, SortOrder: 'desc' }));
    const second = await fixture.sm.send(
      new ListSecretsCommand({ MaxResults: 2, SortOrder: 'desc', NextToken: first.NextToken }),
    );
    expect([...(first.SecretList ?? []), ...(second.SecretList ?? [])].map((e) => e.Name)).to.deep.equal([
      'Consul-upper',
      'db/password',
      'consul/acl/api',
      'consul/acl/web',
    ]);
  });

  it('hides secrets scheduled for deletion unless IncludePlannedDeletion is set', async () => {
    await fixture.sm.send(new DeleteSecretCommand({ SecretId: 'db/password' }));
    expect(await names()).to.not.include('db/password');
    const out = await fixture.sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true }));
    const deleted = out.SecretList?.find((entry) => entry.Name === 'db/password');
    expect(deleted?.DeletedDate).to.be.instanceOf(Date);
  });
});
