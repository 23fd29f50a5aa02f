import { expect } from 'chai';

import { rssLine, summaryLine, violationLine } from './report.js';

describe('chaos: report lines', () => {
  it('ends with the summary line in the documented format', () => {
    expect(
      summaryLine({ ops: 120, faults: 80, kills: 8, eventsLost: 31, violations: 0, convergedS: 1.54 }),
    ).to.equal('chaos: 120 ops, 80 faults, 8 kills, 31 events lost, 0 violations, converged in 1.5 s');
    expect(
      summaryLine({ ops: 3, faults: 0, kills: 0, eventsLost: 0, violations: 2, convergedS: undefined }),
    ).to.equal('chaos: 3 ops, 0 faults, 0 kills, 0 events lost, 2 violations, converged in never s');
    expect(violationLine({ kind: 'missing-token', message: 'active service web has no token' })).to.equal(
      'violation [missing-token] active service web has no token',
    );
  });

  it('shows RSS per replica, and whether the process was restarted in between', () => {
    const mb = 1_048_576;
    expect(
      rssLine(
        0,
        { pid: 10, rss: 80 * mb },
        { pid: 10, rss: 82 * mb, peak: 90 * mb },
        { pid: 10, rss: 81 * mb },
      ),
    ).to.equal('rss: replica 0 pid 10: start 80.0 MB, after 1 min 81.0 MB, end 82.0 MB (peak 90.0 MB)');
    expect(rssLine(1, { pid: 11, rss: 80 * mb }, { pid: 12, rss: 70 * mb })).to.equal(
      'rss: replica 1 pid 11 → 12 (restarted): start 80.0 MB, end 70.0 MB',
    );
  });
});
