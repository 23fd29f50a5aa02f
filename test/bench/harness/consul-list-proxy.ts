/**
 * ConsulListProxy: a loopback HTTP proxy in front of the envtest Consul server that tells the
 * controllers' ACL list calls apart: a blocking query (`?index=` > 0, a watch that returns on a
 * change or at its wait time) or a plain list. The envtest call log counts both as one operation.
 *
 * Invariants:
 * - Every request is forwarded unchanged (method, path, headers, body) and answered with the
 *   upstream's status, headers and body; a failed upstream answers 502.
 * - Only GET /v1/acl/tokens and /v1/acl/policies are classified; counts are by (kind, path).
 * - `close()` ends open connections, so pending blocking queries do not hold it open.
 */
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

export interface ListCounts {
  blocking: number;
  plain: number;
}

export interface ConsulListProxy {
  readonly url: string;
  readonly counts: ListCounts;
  close(): Promise<void>;
}

const LISTS = new Set(['/v1/acl/tokens', '/v1/acl/policies']);

export async function startConsulListProxy(upstream: string): Promise<ConsulListProxy> {
  const target = new URL(upstream);
  const counts: ListCounts = { blocking: 0, plain: 0 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (req.method === 'GET' && LISTS.has(url.pathname)) {
      if (Number(url.searchParams.get('index') ?? '0') > 0) counts.blocking += 1;
      else counts.plain += 1;
    }
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
