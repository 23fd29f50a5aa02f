/**
 * CorruptingProxy: a loopback HTTP proxy in front of one envtest server that passes everything
 * through unchanged until the test installs a `corrupt` rule, which may replace any answer (after
 * the upstream handled the request, so state changes still happen, as with a broken gateway).
 */
import { createServer, request as httpRequest } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';

export interface ProxiedCall {
  readonly method: string;
  readonly path: string;
  /** The AWS operation (`X-Amz-Target` suffix), for AWS JSON services. */
  readonly operation?: string;
  readonly requestBody: string;
  readonly status: number;
  readonly body: string;
}

export type Corruption = (call: ProxiedCall) => { status: number; body: string } | undefined;

export interface CorruptingProxy {
  readonly url: string;
  corrupt: Corruption | undefined;
  /** How many answers were replaced. */
  corrupted: number;
  close(): Promise<void>;
}

export async function startCorruptingProxy(upstream: string): Promise<CorruptingProxy> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  const proxy: CorruptingProxy = {
    url: '',
    corrupt: undefined,
    corrupted: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const requestBody = Buffer.concat(chunks);
      const headers = { ...req.headers, host: target.host };
      const forward = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('error', () => res.destroy());
          answer.on('end', () => {
            const body = Buffer.concat(parts).toString('utf8');
            const xAmzTarget = req.headers['x-amz-target'];
            const call: ProxiedCall = {
              method: req.method ?? '',
              path: req.url ?? '',
              ...(typeof xAmzTarget === 'string' ? { operation: xAmzTarget.split('.').pop() as string } : {}),
              requestBody: requestBody.toString('utf8'),
              status: answer.statusCode ?? 0,
              body,
            };
            const replaced = proxy.corrupt?.(call);
            if (replaced) proxy.corrupted += 1;
            const out = replaced ?? { status: call.status, body };
            const outHeaders: Record<string, string | string[]> = {};
            for (const [key, value] of Object.entries(answer.headers)) {
              if (value !== undefined && key !== 'content-length' && key !== 'transfer-encoding')
                outHeaders[key] = value;
            }
            outHeaders['content-length'] = String(Buffer.byteLength(out.body));
            res.writeHead(out.status, outHeaders);
            res.end(out.body);
          });
        },
      );
      forward.on('error', () => res.destroy());
      res.on('close', () => forward.destroy());
      forward.end(requestBody);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}
