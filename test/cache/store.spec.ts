import { expect } from 'chai';

import { Store } from '../../src/cache/store.js';

interface Task {
  id: string;
  service: string;
  tags: string[];
}

describe('Store', () => {
  const newStore = () =>
    new Store<Task>((task) => task.id, {
      byService: (task) => [task.service],
      byTag: (task) => task.tags,
    });

  it('indexes objects by every value an index function yields', () => {
    const store = newStore();
    store.upsert({ id: 't1', service: 'web', tags: ['a', 'b'] });
    store.upsert({ id: 't2', service: 'web', tags: ['b'] });
    expect(store.indexKeys('byService', 'web').sort()).to.deep.equal(['t1', 't2']);
    expect(store.indexKeys('byTag', 'a')).to.deep.equal(['t1']);
    expect(store.indexKeys('byTag', 'b').sort()).to.deep.equal(['t1', 't2']);
  });

  it('moves an object between index values when it is replaced', () => {
    const store = newStore();
    store.upsert({ id: 't1', service: 'web', tags: [] });
    const old = store.upsert({ id: 't1', service: 'api', tags: [] });
    expect(old?.service).to.equal('web');
    expect(store.byIndex('byService', 'web')).to.deep.equal([]);
    expect(store.byIndex('byService', 'api').map((task) => task.id)).to.deep.equal(['t1']);
    expect(store.indexValues('byService')).to.deep.equal(['api']);
  });

  it('drops a deleted object from every index', () => {
    const store = newStore();
    store.upsert({ id: 't1', service: 'web', tags: ['x'] });
    expect(store.delete('t1')?.id).to.equal('t1');
    expect(store.size).to.equal(0);
    expect(store.indexValues('byTag')).to.deep.equal([]);
    expect(store.delete('t1')).to.equal(undefined);
  });

  it('rejects an unknown index name', () => {
    expect(() => newStore().byIndex('nope', 'x')).to.throw(/no index named "nope"/);
  });
});
