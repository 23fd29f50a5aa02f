// FaultInjector: operation and (optional) resource matching, budgets, and the servers passing the
// resource a call names, so one secret or one token can be made slow while the others are not.
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';

import { startConsulServer } from '../../envtest/consul/server.js';
import { FaultInjector } from '../../envtest/faults.js';
import { rejectionOf } from './expect-error.js';
import { startSecretsFixture } from './secretsmanager/fixture.js';

describe('FaultInjector', () => {
  it('matches by operation and, when a rule names one, by exact resource', () => {
    const faults = new FaultInjector();
    faults.add({ operation: 'GetSecretValue', kind: 'throttle', count: 5, resource: 'slow' });
    expect(faults.decide('GetSecretValue', 'fast')).to.equal(undefined);
    expect(faults.decide('GetSecretValue')).to.equal(undefined);
    expect(faults.decide('PutSecretValue', 'slow')).to.equal(undefined);
    expect(faults.decide('GetSecretValue', 'slow')).to.deep.equal({ kind: 'throttle', latencyMs: 0 });
    expect(faults.injectedCount).to.equal(1);
  });

  it('draws a latency from [latencyMs, latencyMaxMs] with the injected random source', () => {
    const draws = [0, 0.5, 0.999];
    const faults = new FaultInjector(() => draws.shift() ?? 0);
    faults.add({ operation: '*', kind: 'latency', count: 3, latencyMs: 20, latencyMaxMs: 50 });
    const delays = [1, 2, 3].map(() => faults.decide('PutSecretValue')?.latencyMs as number);
    expect(delays[0]).to.equal(20);
    expect(delays[1]).to.equal(35);
    expect(delays[2]).to.be.closeTo(49.97, 0.01);
  });

  it('keeps rules without a resource matching every call (backward compatible)', () => {
    const faults = new FaultInjector();
    faults.add({ operation: '*', kind: 'server-error', count: 2 });
    expect(faults.decide('A', 'x')?.kind).to.equal('server-error');
    expect(faults.decide('B')?.kind).to.equal('server-error');
    expect(faults.decide('C')).to.equal(undefined);
  });

  it('skips a resource rule that does not match and lets a later rule fire', () => {
    const faults = new FaultInjector();
    faults.add({ operation: 'op', kind: 'latency', latencyMs: 5, count: 1, resource: 'a' });
    faults.add({ operation: 'op', kind: 'reset', count: 1 });
    expect(faults.decide('op', 'b')?.kind).to.equal('reset');
    expect(faults.decide('op', 'a')?.kind).to.equal('latency');
    expect(faults.decide('op', 'a')).to.equal(undefined);
  });

  it('Secrets Manager: a resource rule faults only the secret it names', async () => {
    const fixture = await startSecretsFixture();
    try {
      for (const name of ['slow', 'fast']) {
        await fixture.sm.send(new CreateSecretCommand({ Name: name, SecretString: '{}' }));
      }
      fixture.server.faults.add({
        operation: 'GetSecretValue',
        kind: 'throttle',
        count: 10,
        resource: 'slow',
      });
      const fast = await fixture.sm.send(new GetSecretValueCommand({ SecretId: 'fast' }));
      expect(fast.SecretString).to.equal('{}');
      const error = await rejectionOf(fixture.sm.send(new GetSecretValueCommand({ SecretId: 'slow' })));
      expect(error.name).to.equal('ThrottlingException');
    } finally {
      await fixture.close();
    }
  });

  it('Consul: a resource rule sees the URL parameter (the AccessorID of a token read)', async () => {
    const server = await startConsulServer();
    try {
      server.faults.add({ operation: 'acl.token.read', kind: 'server-error', count: 10, resource: 'ghost' });
      const read = (id: string) =>
        fetch(`${server.url}/v1/acl/token/${id}`, { headers: { 'x-consul-token': server.managementToken } });
      expect((await read('ghost')).status).to.equal(500);
      expect((await read('00000000-0000-4000-8000-000000000000')).status).to.equal(404);
    } finally {
      await server.close();
    }
  });
});
