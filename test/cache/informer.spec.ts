import { expect } from 'chai';
import { type Observable, of } from 'rxjs';
import { type TestScheduler } from 'rxjs/testing';

import { type InformerEvent } from '../../src/cache/events.js';
import { Informer, type InformerOptions, type ListResult } from '../../src/cache/informer.js';
import { newTestScheduler } from '../helpers/test-scheduler.js';

interface Obj {
  id: string;
  v: number;
}

const obj = (id: string, v: number): Obj => ({ id, v });
const snapshot = (...items: Obj[]): ListResult<Obj> => ({ items });

/** A list function that returns the given observables in turn, recording the frame of each call. */
function scriptedList(ts: TestScheduler, results: Array<() => Observable<ListResult<Obj>>>) {
  const calls: number[] = [];
  const list = () => {
    calls.push(ts.now());
    const next = results[Math.min(calls.length - 1, results.length - 1)];
    return next();
  };
  return { list, calls };
}

function newInformer(
  ts: TestScheduler,
  options: Partial<InformerOptions<Obj>> & Pick<InformerOptions<Obj>, 'list'>,
) {
  return new Informer<Obj>({
    name: 'objs',
    keyOf: (o) => o.id,
    versionOf: (o) => String(o.v),
    scheduler: ts,
    random: () => 0,
    ...options,
  });
}

const added = (o: Obj): InformerEvent<Obj> => ({ type: 'added', key: o.id, obj: o });
const updated = (o: Obj, old: Obj): InformerEvent<Obj> => ({ type: 'updated', key: o.id, obj: o, old });
const deleted = (o: Obj): InformerEvent<Obj> => ({ type: 'deleted', key: o.id, obj: o });
const resynced = (o: Obj): InformerEvent<Obj> => ({ type: 'resync', key: o.id, obj: o });

describe('Informer', () => {
  it('emits deletions before adds and updates on a relist, after updating the store', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const [a1, b1, b2, c1] = [obj('a', 1), obj('b', 1), obj('b', 2), obj('c', 1)];
      const { list } = scriptedList(ts, [
        () => cold('-x|', { x: snapshot(a1, b1) }),
        () => cold('-y|', { y: snapshot(b2, c1) }),
      ]);
      const informer = newInformer(ts, { list, pollPeriodMs: 10 });
      const seenStoreSizes: number[] = [];
      const sizes = informer.events$.subscribe(() => seenStoreSizes.push(informer.store.size));
      ts.schedule(() => sizes.unsubscribe(), 15);
      expectObservable(informer.events$, '^ 15ms !').toBe('-(ab) 6ms (dec)', {
        a: added(a1),
        b: added(b1),
        d: deleted(a1),
        e: updated(b2, b1),
        c: added(c1),
      });
      ts.flush();
      // Handlers ran after the store had been replaced: 2 objects after each list.
      expect(seenStoreSizes).to.deep.equal([2, 2, 2, 2, 2]);
      expect(informer.store.keys().sort()).to.deep.equal(['b', 'c']);
    });
  });

  it('emits nothing for objects whose version did not change', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const [a1, a2] = [obj('a', 1), obj('a', 2)];
      const { list, calls } = scriptedList(ts, [
        () => cold('-x|', { x: snapshot(a1) }),
        () => cold('-x|', { x: snapshot(a1) }),
        () => cold('-y|', { y: snapshot(a2) }),
      ]);
      const informer = newInformer(ts, { list, pollPeriodMs: 10 });
      expectObservable(informer.events$, '^ 25ms !').toBe('-a 19ms u', { a: added(a1), u: updated(a2, a1) });
      ts.flush();
      expect(calls).to.deep.equal([0, 10, 20]);
    });
  });

  it('re-emits unchanged objects as resync events on each resync period', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const a1 = obj('a', 1);
      const { list, calls } = scriptedList(ts, [() => cold('-x|', { x: snapshot(a1) })]);
      const informer = newInformer(ts, { list, resyncPeriodMs: 100 });
      expectObservable(informer.events$, '^ 250ms !').toBe('-a 99ms r 99ms r', {
        a: added(a1),
        r: resynced(a1),
      });
      ts.flush();
      expect(calls).to.deep.equal([0, 100, 200]);
    });
  });

  it('collapses triggers of one tick into one relist, and triggers during a list into one more', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { list, calls } = scriptedList(ts, [() => cold('-----x|', { x: snapshot() })]);
      const informer = newInformer(ts, { list });
      const subscription = informer.run();
      ts.schedule(() => subscription.unsubscribe(), 40);
      // Three triggers at frame 10 (idle): one relist, which ends when its snapshot arrives at 15.
      // Three more at 12, 13 and 14, while it is busy: exactly one more relist, at 15.
      for (const frame of [10, 10, 10, 12, 13, 14]) ts.schedule(() => informer.trigger(), frame);
      ts.flush();
      expect(calls).to.deep.equal([0, 10, 15]);
    });
  });

  it('restarts after errors with capped exponential backoff, and resets it after a success', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const a1 = obj('a', 1);
      const failures: Array<[number, number]> = [];
      const { list, calls } = scriptedList(ts, [
        () => cold('-#'),
        () => cold('-#'),
        () => cold('-#'),
        () => cold('-#'),
        () => cold('-x|', { x: snapshot(a1) }),
        () => cold('-#'),
        () => cold('-x|', { x: snapshot(a1) }),
      ]);
      const informer = newInformer(ts, {
        list,
        pollPeriodMs: 10_000,
        backoff: { initialMs: 100, maxMs: 500, factor: 2, jitter: 1 },
        observer: {
          synced: () => undefined,
          failed: (_n, _e, attempt, delay) => failures.push([attempt, delay]),
        },
      });
      const subscription = informer.run();
      ts.schedule(() => subscription.unsubscribe(), 12_000);
      ts.flush();
      // Failed attempts end 1 frame after each call; retries wait 100, 200, 400, then 500 (capped).
      expect(calls.slice(0, 5)).to.deep.equal([0, 101, 302, 703, 1204]);
      expect(failures.slice(0, 4)).to.deep.equal([
        [1, 100],
        [2, 200],
        [3, 400],
        [4, 500],
      ]);
      // After the success at 1205, the next poll (at 11204) fails: the backoff starts again at 100.
      expect(failures[4]).to.deep.equal([1, 100]);
      expect(informer.hasSynced()).to.equal(true);
    });
  });

  it('whenSynced resolves at the first sync, at once afterwards, and rejects on abort before it', async () => {
    const ts = newTestScheduler();
    const informer = newInformer(ts, { list: () => of(snapshot(obj('a', 1))) });
    const aborted = new AbortController();
    const outcomes: string[] = [];
    const waiting = informer.whenSynced().then(() => outcomes.push(`synced, store ${informer.store.size}`));
    const abandoned = informer
      .whenSynced(aborted.signal)
      .catch((reason: Error) => outcomes.push(reason.message));
    aborted.abort(new Error('gave up'));
    await abandoned;
    expect(outcomes).to.deep.equal(['gave up']);
    const subscription = informer.run();
    ts.flush();
    await waiting;
    expect(outcomes).to.deep.equal(['gave up', 'synced, store 1']);
    await informer.whenSynced(AbortSignal.abort());
    subscription.unsubscribe();
  });

  it('applies jitter from the injected random source, never beyond the cap', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const delays: number[] = [];
      const { list } = scriptedList(ts, [() => cold('#')]);
      const informer = newInformer(ts, {
        list,
        random: () => 0.5,
        backoff: { initialMs: 100, maxMs: 250, factor: 2, jitter: 1 },
        observer: { synced: () => undefined, failed: (_n, _e, _a, delay) => delays.push(delay) },
      });
      const subscription = informer.run();
      ts.schedule(() => subscription.unsubscribe(), 2_000);
      ts.flush();
      expect(delays.slice(0, 3)).to.deep.equal([150, 250, 250]);
    });
  });

  it('stops every timer and call when the last subscriber leaves', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectSubscriptions }) => {
      const source = cold('--x|', { x: snapshot() });
      const { list, calls } = scriptedList(ts, [() => source]);
      const informer = newInformer(ts, { list, pollPeriodMs: 10, resyncPeriodMs: 15 });
      const first = informer.events$.subscribe();
      const second = informer.run();
      ts.schedule(() => first.unsubscribe(), 20);
      ts.schedule(() => second.unsubscribe(), 21);
      ts.flush();
      expect(calls).to.deep.equal([0, 10, 15, 20]);
      // Each list ends when its snapshot arrives; the one in flight at 21 was torn down.
      expectSubscriptions(source.subscriptions).toBe(['^-!', '10ms ^-!', '15ms ^-!', '20ms ^!']);
    });
  });

  it('lists once, then watches from the returned resource version, and relists on trigger', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const [a1, a2, b1] = [obj('a', 1), obj('a', 2), obj('b', 1)];
      const { list, calls } = scriptedList(ts, [
        () => cold('-x|', { x: { items: [a1], resourceVersion: '5' } }),
        () => cold('-z|', { z: { items: [a2, b1], resourceVersion: '9' } }),
      ]);
      const watchedFrom: string[] = [];
      const watch = (rv: string) => {
        watchedFrom.push(rv);
        return rv === '5'
          ? cold<ListResult<Obj>>('----y|', { y: { items: [a2], resourceVersion: '7' } })
          : cold<ListResult<Obj>>('-------');
      };
      const informer = newInformer(ts, { list, watch });
      ts.schedule(() => informer.trigger(), 10);
      expectObservable(informer.events$, '^ 20ms !').toBe('-a---u 5ms b', {
        a: added(a1),
        u: updated(a2, a1),
        b: added(b1),
      });
      ts.flush();
      expect(calls).to.deep.equal([0, 10]);
      expect(watchedFrom).to.deep.equal(['5', '7', '9']);
    });
  });

  it('starts the next watch no sooner than minWatchIntervalMs after the last one returned', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { list } = scriptedList(ts, [
        () => cold('-x|', { x: { items: [obj('a', 1)], resourceVersion: '1' } }),
      ]);
      const startedAt: number[] = [];
      const watch = (rv: string) => {
        startedAt.push(ts.now());
        // Every watch returns at once, with the next version: a source that changes constantly.
        return cold<ListResult<Obj>>('-y|', {
          y: { items: [obj('a', Number(rv) + 1)], resourceVersion: String(Number(rv) + 1) },
        });
      };
      const informer = newInformer(ts, { list, watch, minWatchIntervalMs: 10 });
      const run = informer.run();
      ts.schedule(() => run.unsubscribe(), 40);
      ts.flush();
      // The first watch starts when the list returns (1); each later one 10 ms after the last returned.
      expect(startedAt).to.deep.equal([1, 12, 23, 34]);
    });
  });

  it('gives a late subscriber the current store as adds, and flips synced$ after the first list', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const a1 = obj('a', 1);
      const { list } = scriptedList(ts, [() => cold('--x|', { x: snapshot(a1) })]);
      const informer = newInformer(ts, { list });
      const running = informer.run();
      expectObservable(informer.synced$, '^ 5ms !').toBe('f-t', { f: false, t: true });
      expectObservable(informer.events$, '5ms ^ 2ms !').toBe('5ms a', { a: added(a1) });
      ts.schedule(() => running.unsubscribe(), 9);
    });
  });
});

describe('Informer with a synchronous source', () => {
  it('keeps polling when each list completes synchronously', () => {
    const ts = newTestScheduler();
    ts.run(() => {
      let calls = 0;
      const informer = new Informer<Obj>({
        name: 'sync',
        list: () => {
          calls += 1;
          return of({ items: [obj('a', calls)] });
        },
        keyOf: (o) => o.id,
        versionOf: (o) => String(o.v),
        pollPeriodMs: 10,
        scheduler: ts,
      });
      const updates: number[] = [];
      const subscription = informer.events$.subscribe((event) => updates.push(event.obj.v));
      ts.schedule(() => subscription.unsubscribe(), 35);
      ts.flush();
      expect(calls).to.equal(4);
      expect(updates).to.deep.equal([1, 2, 3, 4]);
    });
  });
});

describe('Informer direct updates (events between lists)', () => {
  const numeric = (incoming: string, current: string) => Number(incoming) > Number(current);

  it('applies newer objects, drops stale and duplicate ones, and honours removal tombstones', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { list } = scriptedList(ts, [() => cold('-x|', { x: snapshot(obj('a', 1)) })]);
      const informer = newInformer(ts, { list, isNewer: numeric });
      const seen: string[] = [];
      const subscription = informer.events$.subscribe((event) =>
        seen.push(`${event.type}:${event.key}@${event.obj.v}`),
      );
      ts.schedule(() => {
        expect(informer.upsert(obj('a', 3))).to.equal(true);
        expect(informer.upsert(obj('a', 3)), 'duplicate').to.equal(false);
        expect(informer.upsert(obj('a', 2)), 'reordered, older').to.equal(false);
        expect(informer.remove('a', '4')).to.equal(true);
        expect(informer.upsert(obj('a', 4)), 'stale after removal').to.equal(false);
        expect(informer.upsert(obj('b', 1))).to.equal(true);
      }, 5);
      ts.schedule(() => subscription.unsubscribe(), 10);
      ts.flush();
      expect(seen).to.deep.equal(['added:a@1', 'updated:a@3', 'deleted:a@3', 'added:b@1']);
      expect(informer.store.keys()).to.deep.equal(['b']);
    });
  });

  it('does not let a list that was in flight undo a direct update', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { list } = scriptedList(ts, [
        () => cold('-x|', { x: snapshot(obj('a', 1)) }),
        () => cold('-----y|', { y: snapshot(obj('a', 1)) }),
      ]);
      const informer = newInformer(ts, { list, isNewer: numeric, pollPeriodMs: 10 });
      const subscription = informer.run();
      // The second list starts at 10 and answers at 15 with a snapshot taken before "b" started.
      ts.schedule(() => informer.upsert(obj('b', 2)), 12);
      ts.schedule(() => {
        expect(informer.store.keys().sort()).to.deep.equal(['a', 'b']);
      }, 16);
      ts.schedule(() => subscription.unsubscribe(), 17);
      ts.flush();
    });
  });
});

describe('Informer list/event merge (a relist corrects every event)', () => {
  const numeric = (incoming: string, current: string) => Number(incoming) > Number(current);

  it('removes an event-learnt key that the next list does not have (a lost stop event)', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { list } = scriptedList(ts, [() => cold('-x|', { x: snapshot(obj('a', 1)) })]);
      const informer = newInformer(ts, { list, isNewer: numeric, pollPeriodMs: 10 });
      const seen: string[] = [];
      const subscription = informer.events$.subscribe((event) =>
        seen.push(`${ts.now()} ${event.type}:${event.key}@${event.obj.v}`),
      );
      ts.schedule(() => informer.upsert(obj('b', 1)), 5);
      ts.schedule(() => subscription.unsubscribe(), 25);
      ts.flush();
      expect(seen).to.deep.equal(['1 added:a@1', '5 added:b@1', '11 deleted:b@1']);
      expect(informer.store.keys()).to.deep.equal(['a']);
    });
  });

  it('keeps an event newer than the in-flight list for that list only; the next list corrects it if it was wrong', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { list } = scriptedList(ts, [
        () => cold('-x|', { x: snapshot(obj('a', 1), obj('c', 3)) }),
        () => cold('-----y|', { y: snapshot(obj('a', 1), obj('c', 3)) }),
        () => cold('-z|', { z: snapshot(obj('a', 1), obj('c', 3)) }),
      ]);
      const informer = newInformer(ts, { list, isNewer: numeric, pollPeriodMs: 10 });
      const seen: string[] = [];
      const subscription = informer.events$.subscribe((event) =>
        seen.push(`${ts.now()} ${event.type}:${event.key}@${event.obj.v}`),
      );
      // During the second list (10–15): a wrong stop event for "a", newer than the list's a@1;
      // an event for "c" older than the list's c@3 (the list wins at once).
      ts.schedule(() => informer.remove('a', '5'), 12);
      ts.schedule(() => informer.upsert(obj('c', 2)), 13);
      ts.schedule(() => expect(informer.store.has('a'), 'a after the second list').to.equal(false), 16);
      ts.schedule(() => subscription.unsubscribe(), 25);
      ts.flush();
      expect(seen).to.deep.equal(['1 added:a@1', '1 added:c@3', '12 deleted:a@1', '21 added:a@1']);
      expect(informer.store.get('c')).to.deep.equal(obj('c', 3));
    });
  });

  it('holds touched keys only while a list is in flight: empty between lists', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { list } = scriptedList(ts, [
        () => cold('-x|', { x: snapshot(obj('a', 1)) }),
        () => cold('-----y|', { y: snapshot(obj('a', 1)) }),
      ]);
      const informer = newInformer(ts, { list, isNewer: numeric, pollPeriodMs: 10 });
      const counts: Array<[number, number]> = [];
      const subscription = informer.run();
      for (const [at, version] of [
        [5, 2],
        [12, 3],
        [13, 4],
      ])
        ts.schedule(() => informer.upsert(obj(`k${at}`, version)), at);
      for (const at of [6, 14, 16, 19]) ts.schedule(() => counts.push([at, informer.touchedKeyCount]), at);
      ts.schedule(() => subscription.unsubscribe(), 19);
      ts.flush();
      expect(counts).to.deep.equal([
        [6, 0],
        [14, 2],
        [16, 0],
        [19, 0],
      ]);
      expect(informer.listCount).to.equal(2);
    });
  });

  it('relistNow resolves only after a list that started after the call was applied', async () => {
    // Run twice: once with the list after the call never answering (it must not resolve: the list
    // in flight at the call does not count), once with it answering (it must).
    const outcome = async (third: string) => {
      const ts = newTestScheduler();
      let resolved = false;
      ts.run(({ cold }) => {
        const { list, calls } = scriptedList(ts, [
          () => cold('-x|', { x: snapshot(obj('a', 1)) }),
          () => cold('-----y|', { y: snapshot(obj('a', 1)) }),
          () => cold(third, { z: snapshot(obj('a', 2)) }),
        ]);
        const informer = newInformer(ts, { list, isNewer: numeric });
        const subscription = informer.run();
        ts.schedule(() => informer.trigger(), 10);
        ts.schedule(
          () => void informer.relistNow(new AbortController().signal).then(() => (resolved = true)),
          12,
        );
        ts.schedule(() => subscription.unsubscribe(), 30);
        ts.flush();
        expect(calls).to.deep.equal([0, 10, 15]);
      });
      await Promise.resolve();
      return resolved;
    };
    expect(await outcome('--------'), 'with only the in-flight list applied').to.equal(false);
    expect(await outcome('-----z|'), 'once the next list was applied').to.equal(true);
  });

  it('keeps its bookkeeping flat over a million events', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { list } = scriptedList(ts, [() => cold('-x|', { x: snapshot() })]);
      const informer = newInformer(ts, { list, isNewer: numeric });
      const subscription = informer.run();
      ts.schedule(() => {
        for (let i = 0; i < 1_000_000; i++) {
          const key = `t${Math.floor(i / 2) % 50_000}`;
          if (i % 2 === 0) informer.upsert(obj(key, i));
          else informer.remove(key, String(i));
        }
      }, 5);
      ts.schedule(() => {
        expect(informer.touchedKeyCount).to.equal(0);
        expect(informer.store.keys()).to.have.length(0);
      }, 6);
      ts.schedule(() => subscription.unsubscribe(), 7);
      ts.flush();
    });
  });
});

describe('Informer with a watch', () => {
  it('resyncs from its store without listing again', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const a1 = obj('a', 1);
      const { list, calls } = scriptedList(ts, [
        () => cold('-x|', { x: { items: [a1], resourceVersion: '1' } }),
      ]);
      const watch = () => cold<ListResult<Obj>>('-------');
      const informer = newInformer(ts, { list, watch, resyncPeriodMs: 100 });
      expectObservable(informer.events$, '^ 250ms !').toBe('-a 98ms r 99ms r', {
        a: added(a1),
        r: resynced(a1),
      });
      ts.flush();
      expect(calls).to.deep.equal([0]);
    });
  });
});
