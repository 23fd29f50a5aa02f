/**
 * The real ops server on loopback, attacked the way a container's port can be: a flood of idle
 * TCP connections, and a slow-loris client that never finishes its headers. `/healthz` must keep
 * answering, and the server must bound both.
 */
import { expect } from 'chai';

import { createRegistry } from '../../src/metrics/registry.js';
import { HealthChecks } from '../../src/ops/health-checks.js';
import { OPS_SERVER_LIMITS, OpsServer, type OpsServerLimits } from '../../src/ops/ops-server.js';
import { eventually } from '../acl/world.js';
import { openIdleSockets, openRawSocket, type RawSocket } from '../helpers/raw-sockets.js';

function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

describe('ops server under hostile clients', function () {
  this.timeout(60_000);
  let ops: OpsServer;
  let url: string;
  let sockets: RawSocket[] = [];

  async function start(limits: Partial<OpsServerLimits> = {}): Promise<void> {
    ops = new OpsServer(
      createRegistry(),
      { healthz: new HealthChecks(), readyz: new HealthChecks() },
      limits,
    );
    url = await ops.start(0, '127.0.0.1');
  }

  afterEach(async () => {
    for (const raw of sockets) raw.socket.destroy();
    sockets = [];
    await ops.stop();
  });

  it('answers /healthz while 1,000 idle TCP connections are open, and keeps at most its cap of them', async () => {
    await start();
    const cap = OPS_SERVER_LIMITS.maxConnections;
    sockets = await openIdleSockets(url, 1_000);
    const health = await eventually('/healthz answered', async () => {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) });
      return { status: response.status, body: await response.text() };
    });
    expect(health).to.deep.equal({ status: 200, body: 'ok\n' });
    // The server closed the connections it evicted; what is still open on our side is within the cap.
    const open = await eventually(`at most ${cap} idle connections left open`, () => {
      const count = sockets.filter((raw) => !raw.closed()).length;
      return count <= cap ? count : undefined;
    });
    expect(open).to.be.greaterThan(0);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(sample(metrics, 'ops_server_connections_dropped_total{reason="evicted_idle"}')).to.be.at.least(
      1_000 - cap,
    );
    expect(sample(metrics, 'ops_server_connections_dropped_total{reason="refused_busy"}')).to.equal(0);
  });

  it('closes a slow-loris connection (headers never finished) after the headers timeout, with a 408', async () => {
    await start({ headersTimeoutMs: 200, requestTimeoutMs: 1_000 });
    const loris = await openRawSocket(url);
    sockets.push(loris);
    loris.socket.write('GET /healthz HTTP/1.1\r\nHost: ops\r\nX-Slow: 1');
    await eventually('the slow-loris connection closed by the server', () => loris.closed());
    expect(loris.received()).to.match(/^HTTP\/1\.1 408 /);
    // Well-behaved clients are unaffected.
    expect((await fetch(`${url}/healthz`)).status).to.equal(200);
  });
});
