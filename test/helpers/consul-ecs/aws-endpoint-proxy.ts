/**
 * AwsEndpointProxy: redirects an unmodified aws-sdk-go v1 client to the envtest AWS servers.
 *
 * aws-sdk-go v1.42.34 (used by consul-ecs v0.4.3) reads no endpoint override from the
 * environment, so it always calls https://<service>.<region>.amazonaws.com. It does honour
 * HTTPS_PROXY (Go's http.ProxyFromEnvironment) and AWS_CA_BUNDLE. This proxy answers the CONNECT,
 * terminates TLS itself with a certificate from LoopbackCerts, and forwards the decrypted request
 * over plain HTTP to the envtest server mapped to that host name.
 *
 * Invariants:
 * - Listens on 127.0.0.1 only and forwards only to the loopback URLs in `routes`; a CONNECT to an
 *   unmapped host and any plain (non-CONNECT) proxy request are refused with 403, so nothing the
 *   child sends through the proxy leaves the machine.
 * - `close()` destroys every tunnel and forwarded request.
 * - `requests` counts forwarded requests per host name; `refused` lists refused targets.
 */
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type Socket } from 'node:net';

import { listen } from '../../../src/net/http-listener.js';
import { type LoopbackCerts } from './loopback-certs.js';

export interface AwsEndpointProxy {
  /** The value for HTTPS_PROXY / HTTP_PROXY. */
  readonly url: string;
  readonly requests: Readonly<Record<string, number>>;
  readonly refused: readonly string[];
  close(): Promise<void>;
}

/** `routes` maps an AWS host name (e.g. ecs.us-east-1.amazonaws.com) to a loopback http URL. */
export async function startAwsEndpointProxy(
  routes: Readonly<Record<string, string>>,
  certs: LoopbackCerts,
): Promise<AwsEndpointProxy> {
  for (const target of Object.values(routes)) {
    const { hostname, protocol } = new URL(target);
    if (protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) {
      throw new Error(`proxy targets must be loopback http URLs, got ${target}`);
    }
  }
  const requests: Record<string, number> = {};
  const refused: string[] = [];
  const tunnels = new Set<Socket>();

  // Never listens: it only receives the CONNECT tunnels handed over below.
  const tls = createHttpsServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const target = routes[host];
    if (target === undefined) {
      refused.push(`https://${host}${req.url ?? ''}`);
      res.writeHead(403).end();
      return;
    }
    requests[host] = (requests[host] ?? 0) + 1;
    const url = new URL(target);
    const upstream = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: url.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(error.message);
    });
    req.pipe(upstream);
  });

  const listener = await listen((req, res) => {
    refused.push(`${req.method ?? '?'} ${req.url ?? ''}`);
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('this proxy only tunnels to the envtest AWS endpoints');
  });
  listener.server.on('connect', (req, socket: Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    if (host === undefined || routes[host] === undefined || port !== '443') {
      refused.push(`CONNECT ${req.url ?? ''}`);
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    tls.emit('connection', socket);
  });

  return {
    url: listener.url,
    requests,
    refused,
    close: async () => {
      for (const socket of tunnels) socket.destroy();
      tls.close();
      await listener.close();
    },
  };
}
