/**
 * ConsulListProxy: a loopback HTTP proxy in front of the envtest Consul server that tells the
 * controllers' ACL list calls apart: a blocking query (`?index=` > 0, a watch that returns on a
 * change or at its wait time) or a plain list. The envtest call log counts both as one operation.
 *
 * Invariants:
 * - Every request is forwarded unchanged (method, path, headers, body) and answered with the
 *   upstream's status, headers and body; a failed upstream answers 502.
 * - Only GET /v1/acl/tokens and /v1/acl/policies are classified; counts are by (kind, path).
 * - `routes` counts every request by `METHOD /path`, with ID-like segments (UUIDs, ARNs) as `:id`
 *   and ` (blocking)` appended to a GET with `?index=` > 0.
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
  readonly routes: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `GET /v1/acl/token/<uuid>?index=5` → `GET /v1/acl/token/:id (blocking)`. */
export function routeOf(method: string, url: URL): string {
  const path = url.pathname
    .split('/')
    .map((segment) => {
      const decoded = decodeURIComponent(segment);
      return UUID.test(decoded) || decoded.startsWith('arn:') ? ':id' : segment;
    })
    .join('/');
  const blocking = method === 'GET' && Number(url.searchParams.get('index') ?? '0') > 0;
  return `${method} ${path}${blocking ? ' (blocking)' : ''}`;
}

const LISTS = new Set(['/v1/acl/tokens', '/v1/acl/policies']);

export async function startConsulListProxy(upstream: string): Promise<ConsulListProxy> {
  const target = new URL(upstream);
  const counts: ListCounts = { blocking: 0, plain: 0 };
  const routes: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const route = routeOf(req.method ?? 'GET', url);
    routes[route] = (routes[route] ?? 0) + 1;
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
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
