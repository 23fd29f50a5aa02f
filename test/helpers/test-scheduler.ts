// A TestScheduler whose assertions use chai's deep equality.
import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';

export function newTestScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}
