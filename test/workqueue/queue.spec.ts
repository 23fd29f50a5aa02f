import { expect } from 'chai';

import { ManualClock } from '../../src/time/manual-clock.js';
import { WorkQueue } from '../../src/workqueue/queue.js';
import { ItemExponentialRateLimiter } from '../../src/workqueue/rate-limiters.js';

const newQueue = (clock = new ManualClock(0)) => ({ clock, queue: new WorkQueue({ name: 'test', clock }) });

/** Takes every key that is ready now, without waiting. */
async function drainReady(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.length > 0) keys.push((await queue.get()) as string);
  return keys;
}

describe('WorkQueue', () => {
  it('never hands a key to a second worker while the first one processes it', async () => {
    const { queue } = newQueue();
    const holders = new Map<string, number>();
    let maxConcurrentPerKey = 0;
    let processed = 0;
    const worker = async () => {
      for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
        holders.set(key, (holders.get(key) ?? 0) + 1);
        maxConcurrentPerKey = Math.max(maxConcurrentPerKey, holders.get(key) as number);
        queue.add(key); // re-add while processing: must not reach another worker now
        await Promise.resolve();
        holders.set(key, (holders.get(key) as number) - 1);
        processed += 1;
        queue.done(key);
        if (processed >= 20) queue.shutDown();
      }
    };
    queue.add('a');
    queue.add('b');
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(maxConcurrentPerKey).to.equal(1);
    expect(processed).to.be.at.least(20);
  });

  it('coalesces 100 adds of one key before a get into one get', async () => {
    const { queue } = newQueue();
    for (let i = 0; i < 100; i++) queue.add('k');
    expect(queue.length).to.equal(1);
    expect(await drainReady(queue)).to.deep.equal(['k']);
  });

  it('defers a re-add during processing until done, then hands the key out exactly once more', async () => {
    const { queue } = newQueue();
    queue.add('k');
    const key = await queue.get();
    queue.add('k');
    queue.add('k');
    expect(queue.length, 'not visible to other workers while processing').to.equal(0);
    queue.done(key as string);
    expect(await drainReady(queue)).to.deep.equal(['k']);
    queue.done('k');
    expect(queue.length).to.equal(0);
  });

  it('is FIFO by first add, not by latest add', async () => {
    const { queue } = newQueue();
    queue.add('a');
    queue.add('b');
    queue.add('c');
    queue.add('a');
    expect(await drainReady(queue)).to.deep.equal(['a', 'b', 'c']);
  });

  it('lets the earliest of several delays win, in either order, and fires once', async () => {
    const { clock, queue } = newQueue();
    queue.addAfter('late-first', 10_000);
    queue.addAfter('late-first', 1_000);
    queue.addAfter('early-first', 1_000);
    queue.addAfter('early-first', 10_000);
    await clock.advance(999);
    expect(queue.length).to.equal(0);
    await clock.advance(1);
    expect(await drainReady(queue)).to.deep.equal(['late-first', 'early-first']);
    queue.done('late-first');
    queue.done('early-first');
    await clock.advance(20_000);
    expect(queue.length, 'no second firing at 10 s').to.equal(0);
    expect(clock.pendingTimers).to.equal(0);
  });

  it('lets an immediate add beat a pending delay, and collapses the two (priority-queue rule)', async () => {
    const { clock, queue } = newQueue();
    queue.addAfter('k', 5_000);
    queue.add('k');
    expect(await drainReady(queue)).to.deep.equal(['k']);
    queue.done('k');
    await clock.advance(5_000);
    expect(queue.length, 'the 5 s delay was cancelled by the immediate add').to.equal(0);
  });

  it('keeps a delayed add made while processing, and runs it after done', async () => {
    const { clock, queue } = newQueue();
    queue.add('k');
    await queue.get();
    queue.addAfter('k', 100);
    await clock.advance(100);
    expect(queue.length, 'still processing').to.equal(0);
    queue.done('k');
    expect(await drainReady(queue)).to.deep.equal(['k']);
  });

  it('backs off per key 5 ms, 10 ms, 20 ms… up to the cap, and forget resets it', () => {
    const limiter = new ItemExponentialRateLimiter(5, 40);
    const delays = [1, 2, 3, 4, 5, 6].map(() => limiter.when('k'));
    expect(delays).to.deep.equal([5, 10, 20, 40, 40, 40]);
    expect(limiter.numRequeues('k')).to.equal(6);
    expect(limiter.when('other')).to.equal(5);
    limiter.forget('k');
    expect(limiter.numRequeues('k')).to.equal(0);
    expect(limiter.when('k')).to.equal(5);
  });

  it('caps the backoff at the maximum even when 2^n overflows', () => {
    const limiter = new ItemExponentialRateLimiter(5, 1_000_000);
    let last = 0;
    for (let i = 0; i < 2_000; i++) last = limiter.when('k');
    expect(last).to.equal(1_000_000);
  });

  it('reports a failed key as retrying while it waits and while it is retried, until it is forgotten', async () => {
    const { clock, queue } = newQueue();
    queue.add('ok');
    queue.addRateLimited('bad');
    expect(queue.retryingKeys(), 'waiting for its retry').to.deep.equal(['bad']);
    await clock.advance(5);
    const first = await queue.get();
    const second = await queue.get();
    expect([first, second].sort()).to.deep.equal(['bad', 'ok']);
    expect(queue.retryingKeys(), 'being retried').to.deep.equal(['bad']);
    queue.forget('bad');
    queue.done('bad');
    queue.done('ok');
    expect(queue.retryingKeys()).to.deep.equal([]);
  });

  it('delays rate-limited adds by the limiter, on the clock', async () => {
    const { clock, queue } = newQueue();
    queue.addRateLimited('k');
    expect(queue.numRequeues('k')).to.equal(1);
    await clock.advance(4);
    expect(queue.length).to.equal(0);
    await clock.advance(1);
    expect(queue.length).to.equal(1);
    queue.forget('k');
    expect(queue.numRequeues('k')).to.equal(0);
  });

  it('on shutdown ignores new adds, still hands out queued keys, then reports shutdown', async () => {
    const { clock, queue } = newQueue();
    queue.add('a');
    queue.addAfter('delayed', 10);
    queue.shutDown();
    queue.add('b');
    expect(await queue.get()).to.equal('a');
    expect(await queue.get()).to.equal(undefined);
    await clock.advance(100);
    expect(queue.length).to.equal(0);
  });

  it('wakes idle workers with undefined on shutdown', async () => {
    const { queue } = newQueue();
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).to.equal(undefined);
  });

  it('resolves shutDownWithDrain only after every in-flight key is done', async () => {
    const { queue } = newQueue();
    queue.add('a');
    queue.add('b');
    const a = (await queue.get()) as string;
    const b = (await queue.get()) as string;
    let drained = false;
    const draining = queue.shutDownWithDrain().then(() => (drained = true));
    queue.done(a);
    await Promise.resolve();
    expect(drained).to.equal(false);
    queue.done(b);
    await draining;
    expect(drained).to.equal(true);
  });
});
