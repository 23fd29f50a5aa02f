import { expect } from 'chai';

import { ManualClock } from '../../src/time/manual-clock.js';
import {
  BucketRateLimiter,
  defaultRateLimiter,
  MaxOfRateLimiter,
} from '../../src/workqueue/rate-limiters.js';
import { ItemExponentialRateLimiter } from '../../src/workqueue/rate-limiters.js';

describe('rate limiters', () => {
  it('BucketRateLimiter lets a burst through, then spaces calls at 1/qps', async () => {
    const clock = new ManualClock(0);
    const bucket = new BucketRateLimiter(clock, 10, 3);
    expect([bucket.when(), bucket.when(), bucket.when()]).to.deep.equal([0, 0, 0]);
    expect(bucket.when()).to.equal(100);
    expect(bucket.when()).to.equal(200);
    await clock.advance(1_000);
    expect(bucket.when()).to.equal(0);
  });

  it('MaxOfRateLimiter waits for the slowest limiter and forgets in all of them', () => {
    const clock = new ManualClock(0);
    const limiter = new MaxOfRateLimiter(
      new ItemExponentialRateLimiter(5, 1000),
      new BucketRateLimiter(clock, 1, 1),
    );
    expect(limiter.when('k')).to.equal(5);
    expect(limiter.when('k')).to.equal(1000);
    expect(limiter.numRequeues('k')).to.equal(2);
    limiter.forget('k');
    expect(limiter.numRequeues('k')).to.equal(0);
  });

  it('defaultRateLimiter is per-key exponential only unless a bucket is asked for', () => {
    const clock = new ManualClock(0);
    const perKey = defaultRateLimiter(clock);
    for (let i = 0; i < 200; i++) expect(perKey.when(`k${i}`)).to.equal(5);
    const bucketed = defaultRateLimiter(clock, { bucket: { qps: 10, burst: 100 } });
    const delays = Array.from({ length: 101 }, (_, i) => bucketed.when(`k${i}`));
    expect(delays[99]).to.equal(5);
    expect(delays[100]).to.equal(100);
  });
});
