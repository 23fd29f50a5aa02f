import { expect } from 'chai';

import { skipForDryRun } from '../../controllers/adapters/dry-run.js';
import { JsonLogger } from '../../src/log/logger.js';
import { ManualClock } from '../../src/time/manual-clock.js';

describe('skipForDryRun', () => {
  const setup = (dryRun: boolean) => {
    const lines: string[] = [];
    const logger = new JsonLogger({
      clock: new ManualClock(0),
      level: 'debug',
      sink: (line) => lines.push(line),
    });
    return { lines, deps: { config: { dryRun }, logger } };
  };

  it('in dry-run, logs "dry-run: would <action>" at info with the fields once and says skip', () => {
    const { lines, deps } = setup(true);
    expect(skipForDryRun(deps, 'create secret', { service: 'web', secretName: 'consul-web' })).to.equal(true);
    expect(lines.map((line) => JSON.parse(line))).to.deep.equal([
      {
        time: '1970-01-01T00:00:00.000Z',
        level: 'info',
        msg: 'dry-run: would create secret',
        service: 'web',
        secretName: 'consul-web',
      },
    ]);
  });

  it('otherwise logs nothing and says go ahead', () => {
    const { lines, deps } = setup(false);
    expect(skipForDryRun(deps, 'create secret', { service: 'web' })).to.equal(false);
    expect(lines).to.deep.equal([]);
  });
});
