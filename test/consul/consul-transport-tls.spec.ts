// ConsulTransport over HTTPS against a loopback server with its own CA-less self-signed
// certificate: the certificate is checked against `tlsServerName` when given (consul-ecs v0.10's
// consulServers.*.tlsServerName), else against the address's host.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';

import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { NO_API_OBSERVER } from '../../src/metrics/api-metrics.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';

const NAME = 'server.dc1.consul';

describe('ConsulTransport over HTTPS', function () {
  let server: Server | undefined;
  let cert = '';
  let port = 0;

  before(async function () {
    const dir = mkdtempSync(join(tmpdir(), 'consul-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          `/CN=${NAME}`,
          '-addext',
          `subjectAltName=DNS:${NAME}`,
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
    } catch {
      // Without openssl there is no certificate to test with: reported as pending, never as passed.
      rmSync(dir, { recursive: true, force: true });
      this.skip();
    }
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    rmSync(dir, { recursive: true, force: true });
    server = createServer({ cert, key }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': '7' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => server?.close());

  const transport = (tlsServerName?: string) =>
    new ConsulTransport(
      {
        address: new URL(`https://127.0.0.1:${port}`),
        caPem: cert,
        verifyTls: true,
        timeoutMs: 5_000,
        maxRetries: 0,
        ...(tlsServerName ? { tlsServerName } : {}),
      },
      new SchedulerClock(asyncScheduler),
      NO_API_OBSERVER,
      () => 0,
    );
  const get = (t: ConsulTransport) =>
    t.json({ operation: 'agent.self', method: 'GET', path: '/v1/agent/self' });

  it('verifies the certificate against tlsServerName', async () => {
    expect(await get(transport(NAME))).to.deep.equal({ value: { ok: true }, index: '7' });
  });

  it('refuses the same certificate for the address host when no tlsServerName is given', async () => {
    const failure = await get(transport()).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(
      String(failure?.message) + String((failure as { cause?: Error } | undefined)?.cause?.message),
    ).to.match(/altnames|ERR_TLS_CERT_ALTNAME_INVALID|does not match/i);
  });
});
