/**
 * OpsServer: the operations HTTP endpoint: `/metrics`, `/healthz` and `/readyz`.
 *
 * Invariants:
 * - `/metrics` serves this container's own Registry in the Prometheus text format.
 * - `/healthz` and `/readyz` answer 200 when all their checks pass, else 503 with one
 *   `[-]name failed: reason` line per failing check; `?verbose` lists passing checks too,
 *   `?exclude=name` skips a check, and `/readyz/<name>` runs one check.
 * - It is started before anything else and stopped last, so it can be scraped and probed for the
 *   whole life of the process.
 * - Clients are bounded (OPS_SERVER_LIMITS): headers within 10 s, the whole request within 30 s,
 *   idle keep-alive connections closed after 5 s, and at most 100 live connections, where a new
 *   connection makes the least recently used idle one go, so idle or half-open sockets can never
 *   starve `/healthz`. Each connection closed for the cap is counted in
 *   `ops_server_connections_dropped_total{reason}`.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';

import { Counter, type Registry } from 'prom-client';

import { type HttpListener, listen } from '../net/http-listener.js';
import { type HealthChecks } from './health-checks.js';

export interface OpsServerProbes {
  readonly healthz: HealthChecks;
  readonly readyz: HealthChecks;
}

export interface OpsServerLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
}

export const OPS_SERVER_LIMITS: OpsServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 100,
};

export class OpsServer {
  private listener: HttpListener | undefined;
  private readonly limits: OpsServerLimits;
  private readonly dropped: Counter<'reason'>;

  constructor(
    private readonly registry: Registry,
    private readonly probes: OpsServerProbes,
    limits: Partial<OpsServerLimits> = {},
  ) {
    this.limits = { ...OPS_SERVER_LIMITS, ...limits };
    this.dropped = new Counter({
      name: 'ops_server_connections_dropped_total',
      help: 'Connections to the ops server closed to stay within its connection cap: evicted_idle (the least recently used idle one, to admit a new one) or refused_busy (every connection had a request in flight).',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of ['evicted_idle', 'refused_busy']) this.dropped.inc({ reason }, 0);
  }

  get url(): string | undefined {
    return this.listener?.url;
  }

  async start(port: number, host = '0.0.0.0'): Promise<string> {
    this.listener = await listen((req, res) => this.handle(req, res), port, host, {
      ...this.limits,
      onConnectionDropped: (reason) => this.dropped.inc({ reason }),
    });
    return this.listener.url;
  }

  async stop(): Promise<void> {
    await this.listener?.close();
    this.listener = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://ops');
    const [, endpoint, only] = url.pathname.split('/');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/metrics') {
      try {
        const body = await this.registry.metrics();
        res.writeHead(200, { 'content-type': this.registry.contentType }).end(body);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      }
      return;
    }
    if (endpoint === 'healthz' || endpoint === 'readyz') {
      const checks = endpoint === 'healthz' ? this.probes.healthz : this.probes.readyz;
      const exclude = new Set(url.searchParams.getAll('exclude'));
      if (only !== undefined && only !== '' && !checks.names().includes(only)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no check named ${only}\n`);
        return;
      }
      const report = checks.evaluate(exclude, only || undefined);
      const verbose = url.searchParams.has('verbose') || !report.healthy;
      const summary = `${endpoint} check ${report.healthy ? 'passed' : 'failed'}`;
      const body = verbose ? `${report.lines.join('\n')}\n${summary}\n` : `ok\n`;
      res.writeHead(report.healthy ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}
