import { expect } from 'chai';

import { deniedPermission, OptionalFeature } from '../../controllers/adapters/optional-feature.js';
import { JsonLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/manual-clock.js';

function denied(action: string): Error {
  const error = new Error(
    `User: arn:aws:sts::123456789012:assumed-role/acl-controller/task is not authorized to perform: ${action} on resource: arn:aws:ecs:us-east-1:123456789012:cluster/prod because no identity-based policy allows the ${action} action`,
  );
  error.name = 'AccessDeniedException';
  return error;
}

describe('OptionalFeature', () => {
  it('turns off on AccessDenied with one warning naming the permission, and back on when allowed again', async () => {
    const lines: string[] = [];
    const logger = new JsonLogger({
      clock: new ManualClock(0),
      level: 'debug',
      sink: (line: string) => lines.push(line),
    });
    const values: number[] = [];
    const feature = new OptionalFeature('pre-provisioning', { set: (v) => values.push(v) }, logger, 'impact');
    expect(await feature.run(async () => 'listed', 'fallback')).to.equal('listed');
    expect(await feature.run(() => Promise.reject(denied('ecs:ListServices')), 'fallback')).to.equal(
      'fallback',
    );
    expect(await feature.run(() => Promise.reject(denied('ecs:ListServices')), 'fallback')).to.equal(
      'fallback',
    );
    expect(feature.isEnabled).to.equal(false);
    expect(await feature.run(async () => 'again', 'fallback')).to.equal('again');
    expect(values).to.deep.equal([1, 0, 1]);
    const warnings = lines.filter((line) => line.includes('"level":"warn"'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('"missingPermission":"ecs:ListServices"');
    expect(lines.filter((line) => line.includes('is back on'))).to.have.length(1);
  });

  it('lets any other error through', async () => {
    const feature = new OptionalFeature(
      'x',
      { set: () => undefined },
      new JsonLogger({ clock: new ManualClock(0), level: 'error', sink: () => undefined }),
      '',
    );
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    let caught: unknown;
    await feature
      .run(() => Promise.reject(throttled), 'fallback')
      .catch((error: unknown) => (caught = error));
    expect(caught).to.equal(throttled);
    expect(feature.isEnabled).to.equal(true);
  });

  it('reads the permission out of AWS messages, and nothing out of others', () => {
    expect(deniedPermission(denied('secretsmanager:PutSecretValue'))).to.equal(
      'secretsmanager:PutSecretValue',
    );
    expect(deniedPermission(new Error('no'))).to.equal(undefined);
  });
});
