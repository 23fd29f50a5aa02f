// Raw TCP clients (node:net) for tests of what an HTTP server does with connections themselves:
// idle sockets that never send a byte, and requests that never finish.
import { connect, type Socket } from 'node:net';

export interface RawSocket {
  readonly socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** True once the socket closed (by either side). */
  readonly closed: () => boolean;
}

/** Connects to the server of `url` and resolves once the connection is established. */
export function openRawSocket(url: string): Promise<RawSocket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let data = '';
    let closed = false;
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    socket.on('close', () => (closed = true));
    // A reset by the server shows as an error on our side; `closed` records it.
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => data, closed: () => closed }));
    socket.once('error', reject);
  });
}

/** Opens `count` connections, `parallel` at a time, each sending nothing. */
export async function openIdleSockets(url: string, count: number, parallel = 50): Promise<RawSocket[]> {
  const sockets: RawSocket[] = [];
  while (sockets.length < count) {
    const batch = Math.min(parallel, count - sockets.length);
    sockets.push(...(await Promise.all(Array.from({ length: batch }, () => openRawSocket(url)))));
  }
  return sockets;
}
