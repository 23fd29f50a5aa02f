/**
 * capConnections: keeps a node:http server at `max` live connections without turning away a new
 * client (such as a container health check) while an idle connection can make room for it.
 * `server.maxConnections` would refuse the newcomer instead, so a flood of idle sockets would
 * fail the health check.
 *
 * Invariants:
 * - A connection is busy from its `request` event until that response finishes or its connection
 *   closes; otherwise it is idle (kept alive between requests, or never sent a complete request).
 * - When a connection arrives while `max` are live, the least recently used idle one is destroyed
 *   (`onDrop('evicted_idle')`); when every live one is busy, the newcomer is destroyed instead
 *   (`onDrop('refused_busy')`). So at most `max` connections are live at any moment.
 * - "Recently used" means: accepted, or sent a request; a request moves its connection to the end.
 */
import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Socket } from 'node:net';

export type DropReason = 'evicted_idle' | 'refused_busy';

interface Tracked {
  busy: number;
}

export function capConnections(
  server: Server,
  max: number,
  onDrop: (reason: DropReason) => void = () => undefined,
): void {
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`connection cap must be an integer >= 1, got ${max}`);
  // Insertion order is the LRU order: the first idle entry is the one to evict.
  const live = new Map<Socket, Tracked>();
  server.on('connection', (socket: Socket) => {
    if (live.size >= max) {
      const victim = leastRecentlyUsedIdle(live);
      if (victim === undefined) {
        socket.destroy();
        onDrop('refused_busy');
        return;
      }
      live.delete(victim);
      victim.destroy();
      onDrop('evicted_idle');
    }
    live.set(socket, { busy: 0 });
    socket.once('close', () => live.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const tracked = live.get(socket);
    if (tracked === undefined) return;
    tracked.busy += 1;
    live.delete(socket);
    live.set(socket, tracked);
    res.once('close', () => {
      tracked.busy -= 1;
    });
  });
}

function leastRecentlyUsedIdle(live: ReadonlyMap<Socket, Tracked>): Socket | undefined {
  for (const [socket, tracked] of live) if (tracked.busy === 0) return socket;
  return undefined;
}
