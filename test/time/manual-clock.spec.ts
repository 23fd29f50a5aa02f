import { expect } from 'chai';

import { ManualClock, sleep } from '../../src/time/index.js';

describe('ManualClock', () => {
  it('fires timers in due order and sets now() to the due time', async () => {
    const clock = new ManualClock(0);
    const fired: Array<[string, number]> = [];
    clock.setTimer(30, () => fired.push(['c', clock.now()]));
    clock.setTimer(10, () => fired.push(['a', clock.now()]));
    clock.setTimer(10, () => fired.push(['b', clock.now()]));
    await clock.advance(25);
    expect(fired).to.deep.equal([
      ['a', 10],
      ['b', 10],
    ]);
    expect(clock.now()).to.equal(25);
    await clock.advance(5);
    expect(fired.map(([name]) => name)).to.deep.equal(['a', 'b', 'c']);
  });

  it('never fires a cancelled timer', async () => {
    const clock = new ManualClock(0);
    let fired = false;
    const cancel = clock.setTimer(5, () => (fired = true));
    cancel();
    await clock.advance(10);
    expect(fired).to.equal(false);
    expect(clock.pendingTimers).to.equal(0);
  });

  it('runs promise continuations scheduled by one timer before the next one fires', async () => {
    const clock = new ManualClock(0);
    const order: string[] = [];
    void (async () => {
      await sleep(clock, 10);
      order.push('first sleep done');
      await sleep(clock, 10);
      order.push('second sleep done');
    })();
    clock.setTimer(20, () => order.push('timer at 20'));
    await clock.advance(20);
    expect(order).to.deep.equal(['first sleep done', 'timer at 20', 'second sleep done']);
  });

  it('sleep rejects with the abort reason', async () => {
    const clock = new ManualClock(0);
    const controller = new AbortController();
    const slept = sleep(clock, 100, controller.signal);
    controller.abort(new Error('stopped'));
    let caught: unknown;
    try {
      await slept;
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).to.equal('stopped');
    expect(clock.pendingTimers).to.equal(0);
  });
});
