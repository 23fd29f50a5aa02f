import { expect } from 'chai';

import { startConsulServer } from '../../../envtest/consul/server.js';
import { ManualClock } from '../../../src/time/index.js';
import { client, type TokenJson } from './helpers.js';

describe('Consul envtest: token expiration (ManualClock)', () => {
  it('expires a token with ExpirationTTL on the clock', async () => {
    const clock = new ManualClock();
    const server = await startConsulServer({ clock });
    const call = client(server);
    try {
      const created = await call('PUT', '/v1/acl/token', { body: { ExpirationTTL: '2m' } });
      expect(created.status).to.equal(200);
      const token = created.json<TokenJson & { ExpirationTime: string }>();
      expect(Date.parse(token.ExpirationTime)).to.equal(clock.now() + 120_000);
      expect((await call('GET', '/v1/acl/token/self', { token: token.SecretID })).status).to.equal(200);
      await clock.advance(120_000);
      const self = await call('GET', '/v1/acl/token/self', { token: token.SecretID });
      expect(self.status).to.equal(404);
      const use = await call('GET', '/v1/acl/policies', { token: token.SecretID });
      expect([use.status, use.text]).to.deep.equal([403, 'ACL not found']);
      const listed = (await call('GET', '/v1/acl/tokens')).json<TokenJson[]>();
      expect(listed.some((t) => t.AccessorID === token.AccessorID)).to.equal(false);
    } finally {
      await server.close();
    }
  });

  it('rejects an ExpirationTTL outside 1m..24h', async () => {
    const server = await startConsulServer();
    const call = client(server);
    try {
      const short = await call('PUT', '/v1/acl/token', { body: { ExpirationTTL: '30s' } });
      expect([short.status, short.text]).to.deep.equal([
        500,
        'ExpirationTime cannot be less than 1m0s in the future (was 30s)',
      ]);
    } finally {
      await server.close();
    }
  });
});
