import { expect } from 'chai';

import {
  floorLine,
  leastSquaresSlope,
  slopeMbPer10Min,
  soakSummary,
  soakSummaryLine,
} from './soak-summary.js';

const MB = 1_048_576;
const samples = (rssMbByMinute: readonly number[]) =>
  rssMbByMinute.map((mb, minute) => ({ minute, rssBytes: mb * MB }));

describe('bench: soak summary', () => {
  it('fits the least-squares slope of a line exactly, and of noise around it', () => {
    expect(leastSquaresSlope([0, 1, 2, 3].map((x) => ({ x, y: 2 * x + 5 })))).to.be.closeTo(2, 1e-12);
    // y = x + noise symmetric about the middle (+1, -1, -1, +1): still slope 1.
    const noisy = [1, -1, -1, 1].map((noise, x) => ({ x, y: x + noise }));
    expect(leastSquaresSlope(noisy)).to.be.closeTo(1, 1e-12);
    // y = x ± 1 alternating over six points: Σ(x - x̄)·noise = -3, Σ(x - x̄)² = 17.5.
    const alternating = [0, 1, 2, 3, 4, 5].map((x) => ({ x, y: x + (x % 2 === 0 ? 1 : -1) }));
    expect(leastSquaresSlope(alternating)).to.be.closeTo(1 - 3 / 17.5, 1e-12);
    expect(leastSquaresSlope([])).to.equal(undefined);
    expect(leastSquaresSlope([{ x: 1, y: 1 }])).to.equal(undefined);
    expect(
      leastSquaresSlope([
        { x: 2, y: 1 },
        { x: 2, y: 3 },
      ]),
    ).to.equal(undefined);
  });

  it('fits only the samples after the warm-up, in MB per 10 minutes', () => {
    // Warm-up climbs 100 → 150 MB, then a flat 150 MB: flat, whatever the warm-up did.
    const flat = soakSummary({
      samples: samples([100, 120, 135, 145, 150, 150, 150, 150, 150, 150, 150]),
      replacements: 12_000,
      warmupMinutes: 5,
    });
    expect(flat.slopeMbPer10Min).to.equal(0);
    expect(flat.fittedSamples).to.equal(6);
    expect(flat.minutes).to.equal(10);
    expect([flat.rssStartMb, flat.rssEndMb, flat.peakMb]).to.deep.equal([100, 150, 150]);

    // +0.5 MB a minute after the warm-up: +5 MB/10min.
    const growing = soakSummary({
      samples: samples([100, 100, 100, 100, 100, 100, 100.5, 101, 101.5, 102, 102.5]),
      replacements: 1,
      warmupMinutes: 5,
    });
    expect(growing.slopeMbPer10Min).to.be.closeTo(5, 1e-9);
  });

  it('takes the peak from the samples or the finer-grained maximum, whichever is higher', () => {
    const base = { samples: samples([100, 180, 120]), replacements: 0, warmupMinutes: 0 };
    expect(soakSummary(base).peakMb).to.equal(180);
    expect(soakSummary({ ...base, peakRssBytes: 200 * MB }).peakMb).to.equal(200);
    expect(soakSummary({ ...base, peakRssBytes: 50 * MB }).peakMb).to.equal(180);
  });

  it('does not depend on the order of the samples, and needs one', () => {
    const ordered = samples([100, 110, 120, 130]);
    const shuffled = [ordered[2], ordered[0], ordered[3], ordered[1]] as typeof ordered;
    const args = { replacements: 5, warmupMinutes: 1 };
    expect(soakSummary({ ...args, samples: shuffled })).to.deep.equal(
      soakSummary({ ...args, samples: ordered }),
    );
    expect(() => soakSummary({ ...args, samples: [] })).to.throw(/at least one sample/);
  });

  it('prints the summary line in the documented format', () => {
    const summary = soakSummary({
      samples: samples([200, 210, 205, 207, 206, 205.5, 205.25]),
      replacements: 7_200,
      warmupMinutes: 5,
      peakRssBytes: 231.26 * MB,
    });
    expect(soakSummaryLine(summary)).to.equal(
      'soak: 6 min, 7200 replacements, rss start 200.0 MB, rss end 205.3 MB, slope -2.50 MB/10min, peak 231.3 MB',
    );
    const short = soakSummary({ samples: samples([90, 95]), replacements: 3, warmupMinutes: 5 });
    expect(soakSummaryLine(short)).to.equal(
      'soak: 1 min, 3 replacements, rss start 90.0 MB, rss end 95.0 MB, slope n/a MB/10min, peak 95.0 MB',
    );
  });

  it("fits the floors (each minute's lowest reading) the same way, in one line", () => {
    const floors = (mbs: readonly number[]) => mbs.map((mb, minute) => ({ minute, bytes: mb * MB }));
    expect(slopeMbPer10Min(floors([1, 2, 3, 4]), 2)).to.be.closeTo(10, 1e-9);
    expect(slopeMbPer10Min(floors([1, 2, 3, 4]), 4)).to.equal(undefined);
    expect(floorLine(floors([150, 120, 121, 120.5, 121]), floors([60, 40, 40, 40, 40]), 1)).to.equal(
      'soak floors (lowest reading of each minute, from minute 1): ' +
        'rss slope +2.50 MB/10min (120.0 → 121.0 MB), heap used slope +0.00 MB/10min (40.0 → 40.0 MB)',
    );
    expect(floorLine([], [], 5)).to.equal(
      'soak floors (lowest reading of each minute, from minute 5): rss slope n/a MB/10min, heap used slope n/a MB/10min',
    );
  });
});
