import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { ConsulError } from '../../src/consul/consul-error.js';
import { consulSettingsFromEnv } from '../../src/consul/consul-settings.js';

describe('consulSettingsFromEnv', () => {
  it('defaults to http://127.0.0.1:8500 and no token', () => {
    const settings = consulSettingsFromEnv({});
    expect(settings.address.href).to.equal('http://127.0.0.1:8500/');
    expect(settings.token).to.equal(undefined);
    expect(settings.verifyTls).to.equal(true);
  });

  it('reads addresses with or without a scheme, and CONSUL_HTTP_SSL', () => {
    expect(
      consulSettingsFromEnv({ CONSUL_HTTP_ADDR: 'consul:8501', CONSUL_HTTP_SSL: 'true' }).address.href,
    ).to.equal('https://consul:8501/');
    expect(consulSettingsFromEnv({ CONSUL_HTTP_ADDR: 'https://c.example:443' }).address.protocol).to.equal(
      'https:',
    );
  });

  it('reads the token from CONSUL_HTTP_TOKEN_FILE, and the CA from a file or PEM', () => {
    const file = join(tmpdir(), `consul-token-${process.pid}`);
    writeFileSync(file, 'abc\n');
    expect(consulSettingsFromEnv({ CONSUL_HTTP_TOKEN_FILE: file }).token).to.equal('abc');
    expect(consulSettingsFromEnv({ CONSUL_HTTP_TOKEN: 'x', CONSUL_HTTP_TOKEN_FILE: file }).token).to.equal(
      'x',
    );
    expect(consulSettingsFromEnv({ CONSUL_CACERT: file }).caPem).to.equal('abc\n');
    expect(consulSettingsFromEnv({ CONSUL_CACERT_PEM: 'PEM' }).caPem).to.equal('PEM');
    expect(consulSettingsFromEnv({ CONSUL_HTTP_SSL_VERIFY: 'false' }).verifyTls).to.equal(false);
  });

  it('names the variable in every error', () => {
    expect(() => consulSettingsFromEnv({ CONSUL_HTTP_ADDR: 'ftp://x' })).to.throw(
      /^CONSUL_HTTP_ADDR: unsupported scheme/,
    );
    expect(() => consulSettingsFromEnv({ CONSUL_HTTP_TOKEN_FILE: '/nonexistent/t' })).to.throw(
      /^CONSUL_HTTP_TOKEN_FILE: cannot read/,
    );
    expect(() => consulSettingsFromEnv({ CONSUL_HTTP_SSL_VERIFY: 'maybe' })).to.throw(
      /^CONSUL_HTTP_SSL_VERIFY: /,
    );
  });
});

describe('ConsulError', () => {
  it('treats 404 and 403 "ACL not found" as not found, and "Permission denied" as not', () => {
    expect(new ConsulError('op', 404, 'Requested token does not exist: ACL not found').isNotFound).to.equal(
      true,
    );
    expect(new ConsulError('op', 403, 'ACL not found').isNotFound).to.equal(true);
    const denied = new ConsulError(
      'op',
      403,
      "Permission denied: token with AccessorID 'x' lacks permission 'acl:write'",
    );
    expect(denied.isNotFound).to.equal(false);
    expect(denied.isPermissionDenied).to.equal(true);
    expect(new ConsulError('op', 429, '').isRetryable).to.equal(true);
    expect(new ConsulError('op', 500, 'Invalid Policy').isRetryable).to.equal(false);
  });
});
