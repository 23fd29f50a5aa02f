import { expect } from 'chai';

import { CallRateLimiter } from '../../src/aws/call-rate-limiter.js';
import { ManualClock } from '../../src/time/index.js';

/** Starts `count` acquisitions and records the virtual time at which each one passes. */
function acquireAll(limiter: CallRateLimiter, clock: ManualClock, count: number, signal?: AbortSignal) {
  const passedAt: number[] = [];
  const settled = Array.from({ length: count }, () =>
    limiter.acquire(signal).then(
      () => void passedAt.push(clock.now()),
      () => undefined,
    ),
  );
  return { passedAt, settled };
}

describe('CallRateLimiter', () => {
  it('lets `burst` calls pass at once, then paces the rest at the sustained rate', async () => {
    const clock = new ManualClock(0);
    const limiter = new CallRateLimiter(clock, 10, 50);
    const { passedAt } = acquireAll(limiter, clock, 60);
    await clock.advance(0);
    expect(passedAt).to.have.length(50);
    expect(passedAt.every((at) => at === 0)).to.equal(true);
    await clock.advance(999);
    // 10 a second after the bucket is empty: 9 more by 999 ms, the 10th at 1000 ms.
    expect(passedAt).to.have.length(59);
    await clock.advance(1);
    expect(passedAt).to.have.length(60);
    expect(passedAt.at(-1)).to.equal(1000);
  });

  it('defaults the burst to one second of calls', async () => {
    const clock = new ManualClock(0);
    const limiter = new CallRateLimiter(clock, 10);
    const { passedAt } = acquireAll(limiter, clock, 11);
    await clock.advance(0);
    expect(passedAt).to.have.length(10);
    await clock.advance(100);
    expect(passedAt).to.have.length(11);
  });

  it('refills while idle, but never beyond the burst', async () => {
    const clock = new ManualClock(0);
    const limiter = new CallRateLimiter(clock, 10, 5);
    await clock.advance(0);
    acquireAll(limiter, clock, 5);
    await clock.advance(60_000);
    const { passedAt } = acquireAll(limiter, clock, 6);
    await clock.advance(0);
    expect(passedAt).to.have.length(5);
  });

  it('gives the slot of a caller whose signal aborts to the next one', async () => {
    const clock = new ManualClock(0);
    const limiter = new CallRateLimiter(clock, 1, 1);
    await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const after = acquireAll(limiter, clock, 1);
    controller.abort(new Error('stop'));
    await aborted.then(
      () => expect.fail('the aborted caller passed'),
      (error: Error) => expect(error.message).to.equal('stop'),
    );
    await clock.advance(1000);
    expect(after.passedAt).to.deep.equal([1000]);
  });
});
