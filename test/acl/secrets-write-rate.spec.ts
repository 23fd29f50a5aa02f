// The Secrets Manager write limiter: AWS allows about 50 UpdateSecret/PutSecretValue calls a second
// per account, so the controller paces its own writes (-secrets-write-rate, default 40/s) instead of
// tripping ThrottlingException during a burst of new services.
import { expect } from 'chai';

import { type AclWorld, eventually, useAclWorld } from './world.js';

describe('Secrets Manager write limiter', function () {
  this.timeout(30_000);
  let world: AclWorld;
  useAclWorld((started) => (world = started));

  it('paces secret writes at the configured rate across a burst of new services, and every service still gets its token', async () => {
    const services = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];
    for (const service of services) {
      await world.createServiceSecret(service);
      await world.runTasks(service);
    }
    await world.startController({ secretsWriteRate: 2, concurrency: 8 });
    await eventually(
      'a token for every service',
      async () => (await world.serviceTokens()).length === services.length || undefined,
    );
    const writes = world.smServer.calls
      .all()
      .filter((call) => call.operation === 'UpdateSecret' && call.status === 200)
      .filter((call) => call.resource?.startsWith(`${world.prefix}-s`))
      .map((call) => call.at)
      .sort((a, b) => a - b);
    // One write per service's secret: at most 2 at once (the burst), then 2 a second. A loaded
    // machine can only make them slower, never faster.
    expect(writes).to.have.length(services.length);
    for (let i = 2; i < writes.length; i++) {
      const earliest = writes[0] + ((i - 1) * 1000) / 2;
      expect(writes[i], `write ${i + 1}`).to.be.at.least(earliest - 50);
    }
  });
});
