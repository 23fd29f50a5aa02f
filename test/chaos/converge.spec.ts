import { expect } from 'chai';

import { awaitConvergence } from './converge.js';
import { type Violation } from './invariants.js';

const missing: Violation = { kind: 'missing-token', message: 'active service web has no token' };

describe('chaos: convergence wait', () => {
  it('samples before each check and reports when the invariants first hold', async () => {
    let samples = 0;
    const result = await awaitConvergence(
      () => (samples += 1),
      () => (samples < 3 ? [missing] : []),
      10_000,
      0,
    );
    expect(samples).to.equal(3);
    expect(result.violations).to.deep.equal([]);
    expect(result.lastCleared).to.deep.equal(['missing-token']);
    expect(result.seconds).to.be.a('number').and.be.below(5);
  });

  it('past the deadline, returns the last violations marked as not converged, and no time', async () => {
    const result = await awaitConvergence(
      () => undefined,
      () => [missing],
      -1,
    );
    expect(result.seconds).to.equal(undefined);
    expect(result.violations).to.have.length(1);
    expect(result.violations[0].kind).to.equal('missing-token');
    expect(result.violations[0].message).to.contain('web has no token').and.contain('not converged');
  });
});
