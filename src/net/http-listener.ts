/**
 * HttpListener: starts a node:http server and stops it completely.
 *
 * Invariants:
 * - `listen` resolves only once the port is bound; `url` then names the real port (free port
 *   when 0 was asked for), with an IPv6 host in brackets (`http://[::1]:8080`).
 * - `close` ends idle and active keep-alive connections, so a test never hangs on shutdown.
 * - Without options the server keeps Node's defaults (the envtest servers); with them it bounds
 *   how long a client may take to send headers and the whole request, how long an idle
 *   keep-alive connection stays open, and how many connections are live (see connection-cap.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, isIPv6, type Socket } from 'node:net';

import { capConnections, type DropReason } from './connection-cap.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpListener {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Longest a client may take to send a request's headers (Node's `headersTimeout`). */
  readonly headersTimeoutMs?: number;
  /** Longest a client may take to send a whole request (`requestTimeout`); at least headersTimeoutMs. */
  readonly requestTimeoutMs?: number;
  /** How long a kept-alive connection may sit idle after a response (`keepAliveTimeout`). */
  readonly keepAliveTimeoutMs?: number;
  /** Most live connections; at the cap the least recently used idle one makes room. */
  readonly maxConnections?: number;
  /** Told about each connection closed to respect `maxConnections`. */
  readonly onConnectionDropped?: (reason: DropReason) => void;
}

export async function listen(
  handler: RequestHandler,
  port = 0,
  host = '127.0.0.1',
  options: ListenOptions = {},
): Promise<HttpListener> {
  const sockets = new Set<Socket>();
  const server = createServer(serverOptions(options), (req, res) => {
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  if (options.maxConnections !== undefined) {
    capConnections(server, options.maxConnections, options.onConnectionDropped);
  }
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${isIPv6(host) ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function serverOptions(options: ListenOptions): Parameters<typeof createServer>[0] {
  const { headersTimeoutMs, requestTimeoutMs } = options;
  return {
    ...(headersTimeoutMs !== undefined
      ? {
          headersTimeout: headersTimeoutMs,
          // Node checks the two timeouts on this period (30 s by default): a short timeout needs
          // a short period to take effect in time.
          connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.floor(headersTimeoutMs / 4))),
        }
      : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeout: requestTimeoutMs } : {}),
  };
}

/** Reads a request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
