import { expect } from 'chai';

import { generateOps, describeOp, opStream } from './ops.js';
import { parseChaosArgs, replayCommand } from './options.js';
import { mulberry32, Prng } from './prng.js';

const SERVICES = ['web', 'api', 'db'];

describe('chaos: seeded PRNG and op generator', () => {
  it('mulberry32 gives the same draws for a seed, pinned so they cannot drift between versions', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const drawsA = [a(), a(), a()];
    expect(drawsA).to.deep.equal([b(), b(), b()]);
    expect(drawsA[0]).to.equal(0.6011037519201636);
    expect(drawsA[2]).to.equal(0.8524657934904099);
    const c = mulberry32(43);
    expect(c()).to.not.equal(drawsA[0]);
  });

  it('Prng draws stay in range, and a zero weight is never drawn', () => {
    const prng = new Prng(7);
    for (let i = 0; i < 2_000; i += 1) {
      const n = prng.int(5);
      expect(n).to.be.within(0, 4);
      expect(prng.between(2, 4)).to.be.within(2, 4);
      expect(prng.weighted({ a: 1, b: 0, c: 3 })).to.not.equal('b');
    }
  });

  it('the same seed gives the same op sequence; another seed another one', () => {
    const first = generateOps(1234, 300, { services: SERVICES, kills: true });
    const again = generateOps(1234, 300, { services: SERVICES, kills: true });
    const other = generateOps(1235, 300, { services: SERVICES, kills: true });
    expect(first).to.have.length(300);
    expect(again).to.deep.equal(first);
    expect(other.map(describeOp)).to.not.deep.equal(first.map(describeOp));
    // Every kind of op is drawn in a run of this length.
    const kinds = new Set(first.map((op) => op.kind));
    expect(kinds.size).to.equal(10);
  });

  it('every sequence with kills kills the leader at least once, even a short one', () => {
    for (let seed = 0; seed < 50; seed += 1) {
      const ops = generateOps(seed, 20, { services: SERVICES, kills: true });
      expect(
        ops.some((op) => op.kind === 'kill-replica' && op.target === 'leader'),
        `seed ${seed}`,
      ).to.equal(true);
    }
  });

  it('the soak stream (no kills) never kills a replica', () => {
    let count = 0;
    for (const op of opStream(99, { services: SERVICES, kills: false })) {
      expect(op.kind).to.not.equal('kill-replica');
      if (++count === 2_000) break;
    }
  });

  it('the replay command reproduces the options that fix the sequence', () => {
    const options = parseChaosArgs(['--ops', '1000'], () => 777);
    expect(options.seed).to.equal(777);
    const replay = replayCommand(options);
    expect(replay).to.equal('npm run chaos -- --seed 777 --ops 1000');
    const replayed = parseChaosArgs(replay.split(' ').slice(4));
    expect(replayed).to.deep.equal(options);
    expect(replayCommand(parseChaosArgs(['--quick', '--seed', '5']))).to.equal(
      'npm run chaos -- --seed 5 --quick',
    );
    expect(() => parseChaosArgs(['--ops', 'many'])).to.throw('--ops needs a non-negative number');
    expect(() => parseChaosArgs(['--fast'])).to.throw('unknown argument --fast');
  });
});
