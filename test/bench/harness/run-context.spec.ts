import { expect } from 'chai';

import { LoadAverageSampler, measuredCommit } from './run-context.js';

describe('bench run context', () => {
  it("names the commit measured: HEAD's short hash, marked when the tree has uncommitted changes", () => {
    expect(measuredCommit()).to.match(/^[0-9a-f]{12}( with uncommitted changes)?$/);
  });

  it('summarises the load average samples as min / median / max', () => {
    const sampler = new LoadAverageSampler(60_000);
    sampler.stop();
    expect(sampler.summary()).to.match(
      /^\d+\.\d\d \/ \d+\.\d\d \/ \d+\.\d\d \(min \/ median \/ max of 1 samples, every 60 s\)$/,
    );
  });
});
