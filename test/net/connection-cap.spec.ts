/**
 * The connection cap of the framework's HTTP listener, on a real loopback server: at the cap a new
 * connection makes the least recently used idle one go, a connection with a request in flight is
 * never evicted, and only when every connection is busy is the newcomer turned away.
 */
import { type ServerResponse } from 'node:http';

import { expect } from 'chai';

import { type DropReason } from '../../src/net/connection-cap.js';
import { type HttpListener, listen } from '../../src/net/http-listener.js';
import { eventually } from '../acl/world.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-sockets.js';

const REQUEST = 'GET /hold HTTP/1.1\r\nHost: test\r\n\r\n';

describe('HTTP listener connection cap', function () {
  this.timeout(30_000);
  let listener: HttpListener;
  let dropped: DropReason[];
  let held: ServerResponse[];
  let sockets: RawSocket[];

  async function start(maxConnections: number): Promise<void> {
    dropped = [];
    held = [];
    sockets = [];
    // Every request is held until the test answers it: its connection stays busy.
    listener = await listen((_req, res) => void held.push(res), 0, '127.0.0.1', {
      maxConnections,
      onConnectionDropped: (reason) => dropped.push(reason),
    });
  }

  async function open(): Promise<RawSocket> {
    const raw = await openRawSocket(listener.url);
    sockets.push(raw);
    return raw;
  }

  const accepted = (count: number) =>
    eventually(`${count} connections accepted`, async () => {
      const live = await new Promise<number>((resolve, reject) =>
        listener.server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
      );
      return live === count;
    });

  afterEach(async () => {
    for (const raw of sockets) raw.socket.destroy();
    await listener.close();
  });

  it('evicts the least recently used idle connection, never a busy one', async () => {
    await start(2);
    const a = await open();
    const b = await open();
    await accepted(2);
    a.socket.write(REQUEST);
    await eventually('the request on the first connection held', () => held.length === 1);
    const c = await open();
    await eventually('the idle connection evicted', () => b.closed());
    expect(dropped).to.deep.equal(['evicted_idle']);
    expect(a.closed()).to.equal(false);
    expect(c.closed()).to.equal(false);
    held[0].end('done');
    await eventually('the busy connection answered', () => a.received().includes('done'));
    // Answered, the first connection is idle again, and it is now the least recently used one.
    const d = await open();
    await eventually('the answered connection evicted', () => a.closed());
    expect(dropped).to.deep.equal(['evicted_idle', 'evicted_idle']);
    expect(c.closed()).to.equal(false);
    expect(d.closed()).to.equal(false);
  });

  it('turns the newcomer away only when every connection has a request in flight', async () => {
    await start(1);
    const a = await open();
    a.socket.write(REQUEST);
    await eventually('the request held', () => held.length === 1);
    const b = await open();
    await eventually('the newcomer closed', () => b.closed());
    expect(dropped).to.deep.equal(['refused_busy']);
    expect(a.closed()).to.equal(false);
    held[0].end('done');
    await eventually('the busy connection answered', () => a.received().includes('done'));
  });
});
