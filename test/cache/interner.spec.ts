import { expect } from 'chai';

import { Interner } from '../../src/cache/interner.js';

describe('Interner', () => {
  it('returns the first instance interned under a key', () => {
    const interner = new Interner<{ name: string }>();
    const first = { name: 'web' };
    expect(interner.intern('web', first)).to.equal(first);
    expect(interner.intern('web', { name: 'web' })).to.equal(first);
    const other = { name: 'api' };
    expect(interner.intern('api', other)).to.equal(other);
  });

  it('starts over past its bound, and keeps sharing from then on', () => {
    const interner = new Interner<string>(2);
    interner.intern('a', 'a');
    interner.intern('b', 'b');
    expect(interner.size).to.equal(2);
    interner.intern('c', 'c');
    expect(interner.size).to.equal(1);
    const fresh = { value: 'a' };
    const objects = new Interner<{ value: string }>(2);
    objects.intern('a', fresh);
    expect(objects.intern('a', { value: 'a' })).to.equal(fresh);
  });
});
