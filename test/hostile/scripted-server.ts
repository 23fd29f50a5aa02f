/**
 * ScriptedServer: a raw node:http server on loopback that answers whatever the test scripts,
 * including what no well-behaved server would: HTML, truncated bodies, connections reset before
 * or in the middle of the body, and answers that never finish.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';

export type Script =
  | {
      readonly status: number;
      readonly body: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Destroys the socket before any answer. */
  | { readonly reset: 'before-headers' }
  /** Sends headers promising more, part of the body, then destroys the socket. */
  | { readonly reset: 'mid-body'; readonly status: number; readonly partial: string }
  /** Sends headers (or nothing) and then never another byte. */
  | { readonly stall: 'before-headers' | 'after-headers' };

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly target?: string;
  readonly body: string;
}

export interface ScriptedServer {
  readonly url: string;
  readonly seen: Seen[];
  /** Decides the answer for each request; replace it at any time. */
  script: (req: Seen) => Script;
  close(): Promise<void>;
}

export async function startScriptedServer(
  script: (req: Seen) => Script = () => ({ status: 200, body: '{}' }),
): Promise<ScriptedServer> {
  const sockets = new Set<Socket>();
  const seen: Seen[] = [];
  const scripted: ScriptedServer = {
    url: '',
    seen,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      const request: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        ...(typeof target === 'string' ? { target } : {}),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(request);
      const answer = scripted.script(request);
      if ('stall' in answer) {
        if (answer.stall === 'after-headers') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{');
        }
        return;
      }
      if ('reset' in answer) {
        if (answer.reset === 'mid-body') {
          res.writeHead(answer.status, { 'content-length': String(answer.partial.length + 100) });
          res.write(answer.partial);
          setTimeout(() => req.socket.destroy(), 5);
        } else {
          req.socket.destroy();
        }
        return;
      }
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(answer.body)),
        ...answer.headers,
      });
      res.end(answer.body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(scripted, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

/** An API observer that remembers every call. */
export class RecordingObserver {
  readonly calls: Array<{ service: string; operation: string; code: string }> = [];

  called(service: string, operation: string, code: string): void {
    this.calls.push({ service, operation, code });
  }

  codes(operation?: string): string[] {
    return this.calls
      .filter((call) => operation === undefined || call.operation === operation)
      .map((c) => c.code);
  }
}
