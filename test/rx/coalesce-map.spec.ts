import { map, takeUntil, timer } from 'rxjs';

import { coalesceMap } from '../../src/rx/coalesce-map.js';
import { newTestScheduler } from '../helpers/test-scheduler.js';

describe('coalesceMap', () => {
  it('runs one inner at a time and merges values that arrive while busy into one more run', () => {
    newTestScheduler().run(({ cold, hot, expectObservable }) => {
      // b, c and d arrive while "a" runs: they merge into one run (the merge keeps the latest
      // value, except that c never replaces a waiting value), which starts when "a" ends.
      const source = hot('  a-bcd-------e--|');
      const expected = '   ---A---D-------E|';
      const result = source.pipe(
        coalesceMap(
          (value) => cold('---x|', { x: value.toUpperCase() }),
          (waiting, next) => (next === 'c' ? waiting : next),
        ),
      );
      expectObservable(result).toBe(expected);
    });
  });

  it('signals interrupt$ to a long inner when a value starts waiting', () => {
    newTestScheduler().run(({ hot, expectObservable }) => {
      const source = hot('a---b|');
      const result = source.pipe(
        coalesceMap((value, interrupt$) =>
          timer(0, 1).pipe(
            map(() => value),
            takeUntil(interrupt$),
          ),
        ),
      );
      // "a" ticks until b starts waiting at frame 4, which interrupts it; then b runs.
      expectObservable(result, '^ 7ms !').toBe('aaaabbbb');
    });
  });

  it('completes only after the source completed and the last run ended', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, hot, expectObservable }) => {
      const result = hot('a|').pipe(coalesceMap(() => cold('--x|')));
      expectObservable(result).toBe('--x|');
    });
  });
});
