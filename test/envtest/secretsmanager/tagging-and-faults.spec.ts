import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';

import { ManualClock } from '../../../src/time/manual-clock.js';
import { eventually, rejectionOf } from '../expect-error.js';
import { secretsClient, type SecretsFixture, startSecretsFixture } from './fixture.js';

describe('Secrets Manager emulator: tagging, faults and call log', () => {
  let clock: ManualClock;
  let fixture: SecretsFixture;

  beforeEach(async () => {
    clock = new ManualClock();
    fixture = await startSecretsFixture({ clock });
    await fixture.sm.send(
      new CreateSecretCommand({
        Name: 'token',
        SecretString: 'super-secret-value',
        Tags: [{ Key: 'a', Value: '1' }],
      }),
    );
    fixture.server.calls.reset();
  });
  afterEach(() => fixture.close());

  const get = () => fixture.sm.send(new GetSecretValueCommand({ SecretId: 'token' }));
  const tags = async () => (await fixture.sm.send(new DescribeSecretCommand({ SecretId: 'token' }))).Tags;

  it('TagResource merges by key and UntagResource removes by key', async () => {
    await fixture.sm.send(
      new TagResourceCommand({
        SecretId: 'token',
        Tags: [
          { Key: 'a', Value: '2' },
          { Key: 'b', Value: '3' },
        ],
      }),
    );
    expect(await tags()).to.deep.equal([
      { Key: 'a', Value: '2' },
      { Key: 'b', Value: '3' },
    ]);
    await fixture.sm.send(new UntagResourceCommand({ SecretId: 'token', TagKeys: ['a'] }));
    expect(await tags()).to.deep.equal([{ Key: 'b', Value: '3' }]);
    const missing = await rejectionOf(
      fixture.sm.send(new TagResourceCommand({ SecretId: 'ghost', Tags: [{ Key: 'x', Value: 'y' }] })),
    );
    expect(missing.name).to.equal('ResourceNotFoundException');
    const untagMissing = await rejectionOf(
      fixture.sm.send(new UntagResourceCommand({ SecretId: 'ghost', TagKeys: ['x'] })),
    );
    expect(untagMissing.name).to.equal('ResourceNotFoundException');
  });

  it('throttles twice with ThrottlingException (HTTP 400), then answers', async () => {
    fixture.server.faults.add({ operation: 'GetSecretValue', kind: 'throttle', count: 2 });
    for (let i = 0; i < 2; i += 1) {
      const error = await rejectionOf(get());
      expect(error.name).to.equal('ThrottlingException');
      expect(error.$metadata?.httpStatusCode).to.equal(400);
    }
    expect((await get()).SecretString).to.equal('super-secret-value');
    expect(fixture.server.calls.count('GetSecretValue')).to.equal(3);
  });

  it('lets the SDK retry through two throttles', async () => {
    const retrying = secretsClient(fixture.server, 3);
    try {
      fixture.server.faults.add({ operation: 'GetSecretValue', kind: 'throttle', count: 2 });
      const out = await retrying.send(new GetSecretValueCommand({ SecretId: 'token' }));
      expect(out.$metadata.attempts).to.equal(3);
    } finally {
      retrying.destroy();
    }
  });

  it('answers a server-error fault with InternalServiceError (HTTP 500)', async () => {
    fixture.server.faults.add({ operation: 'GetSecretValue', kind: 'server-error', count: 1 });
    const error = await rejectionOf(get());
    expect(error.name).to.equal('InternalServiceError');
    expect(error.$metadata?.httpStatusCode).to.equal(500);
  });

  it('resets the connection, records status 0, then serves the next call', async () => {
    fixture.server.faults.add({ operation: 'GetSecretValue', kind: 'reset', count: 1 });
    const error = await rejectionOf(get());
    expect(error.$metadata?.httpStatusCode).to.equal(undefined);
    expect(fixture.server.calls.all()[0]).to.include({
      operation: 'GetSecretValue',
      status: 0,
      resource: 'token',
    });
    expect((await get()).SecretString).to.equal('super-secret-value');
  });

  it('delays a latency fault on the injected clock', async () => {
    fixture.server.faults.add({ operation: 'GetSecretValue', kind: 'latency', latencyMs: 250, count: 1 });
    let settled = false;
    const pending = get().then((out) => {
      settled = true;
      return out;
    });
    await eventually(() => clock.pendingTimers === 1);
    expect(settled).to.equal(false);
    await clock.advance(250);
    expect((await pending).SecretString).to.equal('super-secret-value');
  });

  it('records every call with its secret name and never a secret value', async () => {
    await get();
    await rejectionOf(fixture.sm.send(new GetSecretValueCommand({ SecretId: 'ghost' })));
    await fixture.sm.send(new CreateSecretCommand({ Name: 'second', SecretString: 'another-secret-value' }));
    expect(fixture.server.calls.snapshot()).to.deep.equal({ CreateSecret: 1, GetSecretValue: 2 });
    expect(fixture.server.calls.all().map((call) => call.resource)).to.deep.equal([
      'token',
      'ghost',
      'second',
    ]);
    expect(fixture.server.calls.all()[1]).to.include({ status: 400, error: 'ResourceNotFoundException' });
    expect(fixture.server.calls.all()[0]?.principal).to.equal('AKIDTEST');
    const logged = JSON.stringify(fixture.server.calls.all());
    expect(logged).to.not.contain('super-secret-value');
    expect(logged).to.not.contain('another-secret-value');
    expect(logged).to.not.contain('test-secret');
  });
});
