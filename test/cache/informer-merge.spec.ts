// Property test of the informer's list/event merge (issue 13): for any interleaving of list
// answers and events (a fast-check model of tasks with growing versions, started and stopped),
// the cache after a full list is that list's answer, except keys an event changed *during* that
// list to a newer version; and the next list with no event during it makes the cache exactly its
// answer, whatever the events said before.
import { expect } from 'chai';
import fc from 'fast-check';
import { Subject } from 'rxjs';

import { Informer, type ListResult } from '../../src/cache/informer.js';
import { newTestScheduler } from '../helpers/test-scheduler.js';

interface Task {
  readonly id: string;
  readonly v: number;
}

const KEYS = ['t1', 't2', 't3', 't4'];
const key = fc.constantFrom(...KEYS);
const version = fc.integer({ min: 1, max: 20 });
const answer = fc.uniqueArray(fc.record({ id: key, v: version }), {
  selector: (task) => task.id,
  maxLength: 4,
});
const event = fc.record({
  kind: fc.constantFrom<'upsert' | 'remove'>('upsert', 'remove'),
  id: key,
  v: version,
});

/** Events before the list, the list's answer, events during it, the next list's answer. */
const scenario = fc.record({
  first: answer,
  before: fc.array(event, { maxLength: 6 }),
  answer,
  during: fc.array(event, { maxLength: 6 }),
  next: answer,
});

function snapshot(informer: Informer<Task>): Map<string, number> {
  return new Map(informer.store.list().map((task) => [task.id, task.v]));
}

describe('Informer list/event merge (property test)', () => {
  it('after a list: its answer, except keys an event made newer during it; after the next quiet list: exactly its answer', () => {
    fc.assert(
      fc.property(scenario, ({ first, before, answer: listed, during, next }) => {
        const ts = newTestScheduler();
        ts.run(() => {
          const lists: Array<Subject<ListResult<Task>>> = [];
          const informer = new Informer<Task>({
            name: 'tasks',
            list: () => {
              const reply = new Subject<ListResult<Task>>();
              lists.push(reply);
              return reply;
            },
            keyOf: (task) => task.id,
            versionOf: (task) => String(task.v),
            isNewer: (incoming, current) => Number(incoming) > Number(current),
            scheduler: ts,
            random: () => 0,
          });
          const subscription = informer.run();
          const apply = (e: { kind: 'upsert' | 'remove'; id: string; v: number }) =>
            e.kind === 'upsert' ? informer.upsert({ id: e.id, v: e.v }) : informer.remove(e.id, String(e.v));
          const answerList = (items: readonly Task[]) => {
            const reply = lists.at(-1) as Subject<ListResult<Task>>;
            reply.next({ items });
            reply.complete();
          };
          ts.schedule(() => answerList(first), 1);
          ts.schedule(() => before.forEach(apply), 2);
          ts.schedule(() => informer.trigger(), 3);
          ts.schedule(() => during.forEach(apply), 4);
          ts.schedule(() => {
            answerList(listed);
            const cache = snapshot(informer);
            const listedVersion = new Map(listed.map((task) => [task.id, task.v]));
            const newerDuring = (id: string) =>
              during.some(
                (e) =>
                  e.id === id &&
                  (listedVersion.get(id) === undefined || e.v > (listedVersion.get(id) as number)),
              );
            for (const id of KEYS) {
              const inCache = cache.get(id);
              const inList = listedVersion.get(id);
              if (inCache !== inList)
                expect(newerDuring(id), `${id}: cache ${inCache}, list ${inList}`).to.equal(true);
            }
            expect(informer.touchedKeyCount, 'nothing touched between lists').to.equal(0);
          }, 5);
          ts.schedule(() => informer.trigger(), 6);
          ts.schedule(() => {
            answerList(next);
            expect([...snapshot(informer)].sort()).to.deep.equal(
              next.map((task) => [task.id, task.v]).sort(),
            );
          }, 8);
          ts.schedule(() => subscription.unsubscribe(), 9);
          ts.flush();
          expect(lists).to.have.length(3);
        });
      }),
      { numRuns: 500 },
    );
  });
});
