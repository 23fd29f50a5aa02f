import { expect } from 'chai';

import { COLLISIONS, GRANTS, HOSTILE_KINDS, HOSTILE_RATE, PLANTS, POLICY_REWRITES } from './hostile-ops.js';
import { EVENT_KINDS, EVENT_RATE, eventLoss, FORGES, MIN_LOSS } from './event-ops.js';
import { generateOps, describeOp, isEventOp, isHostile, type Op, opStream } from './ops.js';
import { parseChaosArgs, replayCommand } from './options.js';
import { mulberry32, Prng } from './prng.js';

const SERVICES = ['web', 'api', 'db'];
const ONE = ['chaos'];
const TWO = ['chaos', 'chaos-b'];
/** `generateOps(1234, 50, …)`'s first ops, as the harness gave them before ops named a cluster. */
/** `generateOps(1234, 120, …)`'s first hostile ops on two clusters. */
const PINNED_HOSTILE_1234 = [
  'grant-client-token grant=global-management cluster=chaos',
  'grant-client-token grant=role cluster=chaos-b',
  'collide-client-secret via=task-tag family=api count=0 cluster=chaos',
];
/** `generateOps(1234, 120, …)`'s first event-path ops on two clusters. */
const PINNED_EVENTS_1234 = [
  'forge-event forge=other-account status=STOPPED pick=596 count=2 repeats=1 cluster=chaos',
  'forge-event forge=other-account status=RUNNING pick=284 count=3 repeats=0 cluster=chaos-b',
  'event-faults duplicate=1 reorder=1 delay=2 delayMs=3198',
];
const PINNED_1234 = [
  'create-service service=db count=2',
  'kill-replica target=leader pick=117 restartAfterMs=323',
  'delete-token pick=398',
];

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
    const first = generateOps(1234, 300, { services: SERVICES, clusters: ONE, kills: true, hostile: false });
    const again = generateOps(1234, 300, { services: SERVICES, clusters: ONE, kills: true, hostile: false });
    const other = generateOps(1235, 300, { services: SERVICES, clusters: ONE, kills: true, hostile: false });
    expect(first).to.have.length(300);
    expect(again).to.deep.equal(first);
    expect(other.map(describeOp)).to.not.deep.equal(first.map(describeOp));
    // Every kind of op is drawn in a run of this length.
    const kinds = new Set(first.map((op) => op.kind));
    expect(kinds.size).to.equal(10);
  });

  it('every sequence with kills kills the leader at least once, even a short one', () => {
    for (let seed = 0; seed < 50; seed += 1) {
      const ops = generateOps(seed, 20, { services: SERVICES, clusters: ONE, kills: true, hostile: false });
      expect(
        ops.some((op) => op.kind === 'kill-replica' && op.target === 'leader'),
        `seed ${seed}`,
      ).to.equal(true);
    }
  });

  it('with two clusters, the same seed picks the same cluster for every op, and both get ops', () => {
    const profile = { services: SERVICES, clusters: TWO, kills: true, hostile: false };
    const first = generateOps(4321, 400, profile);
    const again = generateOps(4321, 400, profile);
    expect(again.map(describeOp)).to.deep.equal(first.map(describeOp));
    const clusterOf = (op: (typeof first)[number]) => ('cluster' in op ? op.cluster : undefined);
    const picked = first.map(clusterOf);
    // Every op but a Consul restart names a served cluster; each cluster gets a fair share of each
    // kind that acts on one (with 400 ops, far from 0 or all).
    for (const [i, op] of first.entries()) {
      if (op.kind === 'restart-consul') expect(picked[i]).to.equal(undefined);
      else expect(TWO, describeOp(op)).to.include(picked[i]);
    }
    const inB = picked.filter((c) => c === 'chaos-b').length;
    const inA = picked.filter((c) => c === 'chaos').length;
    expect(inA).to.be.above(120);
    expect(inB).to.be.above(120);
    for (const kind of ['create-service', 'delete-token', 'corrupt-secret', 'stop-task'] as const) {
      const ofKind = first.filter((op) => op.kind === kind).map(clusterOf);
      expect(new Set(ofKind), kind).to.deep.equal(new Set(TWO));
    }
    expect(first.some((op) => op.kind === 'kill-replica' && op.cluster === 'chaos-b')).to.equal(true);
    // Another seed picks clusters differently.
    const other = generateOps(4322, 400, profile).map(clusterOf);
    expect(other).to.not.deep.equal(picked);
  });

  it('with one cluster, no draw is spent on it: the sequence is the pre-cluster one for the seed', () => {
    const one = generateOps(1234, 50, { services: SERVICES, clusters: ONE, kills: true, hostile: false });
    expect(one.every((op) => !('cluster' in op) || op.cluster === 'chaos')).to.equal(true);
    // Pinned: these are the first ops seed 1234 gave before ops named a cluster.
    const strip = (d: string) => d.replace(/ cluster=chaos$/, '');
    expect(one.slice(0, 3).map((op) => strip(describeOp(op)))).to.deep.equal(PINNED_1234);
    // Two clusters consume more draws, so the sequences part.
    const two = generateOps(1234, 50, { services: SERVICES, clusters: TWO, kills: true, hostile: false });
    expect(two.map(describeOp)).to.not.deep.equal(one.map(describeOp));
  });

  it('the guaranteed leader kill of a short run aims at a served cluster, the same per seed', () => {
    for (let seed = 0; seed < 30; seed += 1) {
      const a = generateOps(seed, 20, { services: SERVICES, clusters: TWO, kills: true, hostile: false });
      const b = generateOps(seed, 20, { services: SERVICES, clusters: TWO, kills: true, hostile: false });
      const kills = a.filter((op) => op.kind === 'kill-replica' && op.target === 'leader');
      expect(kills.length, `seed ${seed}`).to.be.above(0);
      for (const op of kills) expect(TWO).to.include('cluster' in op ? op.cluster : undefined);
      expect(b).to.deep.equal(a);
    }
  });

  it('the soak stream (no kills) never kills a replica', () => {
    let count = 0;
    for (const op of opStream(99, { services: SERVICES, clusters: ONE, kills: false, hostile: false })) {
      expect(op.kind).to.not.equal('kill-replica');
      if (++count === 2_000) break;
    }
  });

  describe('hostile-tenant ops', () => {
    const profile = (clusters: string[], hostile = true) => ({
      services: SERVICES,
      clusters,
      kills: true,
      hostile,
    });
    const notHostile = (ops: Op[]) => ops.filter((op) => !isHostile(op)).map(describeOp);

    it('never change the other ops: without them, the same sequence in the same order', () => {
      for (const clusters of [ONE, TWO]) {
        for (let seed = 0; seed < 40; seed += 1) {
          const withHostile = generateOps(seed, 120, profile(clusters));
          const without = generateOps(seed, 120, profile(clusters, false));
          const others = notHostile(withHostile);
          expect(others, `seed ${seed}`).to.deep.equal(without.slice(0, others.length).map(describeOp));
          expect(generateOps(seed, 120, profile(clusters)), `seed ${seed}`).to.deep.equal(withHostile);
        }
      }
    });

    it('come at about HOSTILE_RATE, every kind and variant of them, on every served cluster', () => {
      const ops = generateOps(4321, 4_000, profile(TWO)).filter(isHostile);
      expect(ops.length / 4_000).to.be.within(HOSTILE_RATE * 0.75, HOSTILE_RATE * 1.1);
      const variants = new Set(
        ops.map((op) => {
          switch (op.kind) {
            case 'collide-client-secret':
              return `${op.kind}:${op.via}`;
            case 'plant-secret':
              return `${op.kind}:${op.plant}`;
            case 'grant-client-token':
              return `${op.kind}:${op.grant}`;
            case 'rewrite-client-policy':
              return `${op.kind}:${op.rules}`;
          }
        }),
      );
      expect(variants.size).to.equal(
        COLLISIONS.length + PLANTS.length + GRANTS.length + POLICY_REWRITES.length,
      );
      for (const kind of HOSTILE_KINDS) {
        const clusters = new Set(ops.filter((op) => op.kind === kind).map((op) => op.cluster));
        expect(clusters, kind).to.deep.equal(new Set(TWO));
      }
      const families = new Set(ops.flatMap((op) => (op.kind === 'collide-client-secret' ? [op.family] : [])));
      expect(families).to.deep.equal(new Set(SERVICES));
    });

    it('are pinned for a seed, so they cannot drift between versions', () => {
      const first = generateOps(1234, 120, profile(TWO)).filter(isHostile).slice(0, 3).map(describeOp);
      expect(first).to.deep.equal(PINNED_HOSTILE_1234);
    });

    it('keep the guaranteed leader kill within the first n ops, however many come early', () => {
      for (let seed = 0; seed < 300; seed += 1) {
        for (const n of [1, 2, 3, 5, 8, 20]) {
          const ops = generateOps(seed, n, profile(ONE));
          expect(ops).to.have.length(n);
          const kill = ops.some((op) => op.kind === 'kill-replica' && op.target === 'leader');
          expect(kill, `seed ${seed}, ${n} ops`).to.equal(true);
        }
      }
    });

    it('come in the soak stream too, from the same hostile stream of the seed', () => {
      const stream = opStream(99, { services: SERVICES, clusters: TWO, kills: false, hostile: true });
      const ops: Op[] = [];
      for (const op of stream) if (ops.push(op) === 1_000) break;
      expect(ops.filter(isHostile).length).to.be.above(50);
      expect(ops.some((op) => op.kind === 'kill-replica')).to.equal(false);
    });
  });

  describe('event-path ops', () => {
    const profile = (clusters: string[], events = true, hostile = true, kills = true) => ({
      services: SERVICES,
      clusters,
      kills,
      hostile,
      events,
    });
    const without = (ops: Op[], drop: (op: Op) => boolean) => ops.filter((op) => !drop(op)).map(describeOp);

    it('never change the other ops nor the hostile ops; without them, the sequence is the old one', () => {
      for (const clusters of [ONE, TWO]) {
        for (let seed = 0; seed < 40; seed += 1) {
          const withEvents = generateOps(seed, 120, profile(clusters));
          const noEvents = generateOps(seed, 120, profile(clusters, false));
          // Without events the profile is exactly the one before event ops existed.
          expect(noEvents, `seed ${seed}`).to.deep.equal(
            generateOps(seed, 120, { services: SERVICES, clusters, kills: true, hostile: true }),
          );
          const kept = without(withEvents, isEventOp);
          expect(kept, `seed ${seed}`).to.deep.equal(noEvents.slice(0, kept.length).map(describeOp));
          expect(generateOps(seed, 120, profile(clusters)), `seed ${seed}`).to.deep.equal(withEvents);
        }
      }
    });

    it('come at about EVENT_RATE, every kind and variant, on every served cluster', () => {
      const ops = generateOps(4321, 4_000, profile(TWO)).filter(isEventOp);
      expect(ops.length / 4_000).to.be.within(EVENT_RATE * 0.75, EVENT_RATE * 1.1);
      expect(new Set(ops.map((op) => op.kind))).to.deep.equal(EVENT_KINDS);
      const forged = ops.flatMap((op) => (op.kind === 'forge-event' ? [`${op.forge}:${op.status}`] : []));
      expect(new Set(forged).size).to.equal(FORGES.length * 2);
      for (const kind of ['lose-events', 'forge-event', 'lose-and-kill-leader'] as const) {
        const clusters = new Set(ops.flatMap((op) => (op.kind === kind ? [op.cluster] : [])));
        expect(clusters, kind).to.deep.equal(new Set(TWO));
      }
      for (const op of ops) {
        if (op.kind === 'lose-events') expect(op.durationMs).to.be.within(500, 4_000);
        if (op.kind === 'lose-and-kill-leader') expect(op.lossMs).to.be.within(4_000, 8_000);
        if (op.kind === 'forge-event') expect(op.repeats).to.be.within(0, 8);
        if (op.kind === 'event-faults') {
          expect(Math.min(op.duplicate, op.reorder, op.delay)).to.be.at.least(1);
          expect(op.delayMs).to.be.within(200, 8_000);
        }
      }
    });

    it('hold a leader handover while events are lost in every run with kills, none in the soak', () => {
      for (let seed = 0; seed < 300; seed += 1) {
        for (const n of [20, 120]) {
          const ops = generateOps(seed, n, profile(TWO));
          expect(ops).to.have.length(n);
          const handovers = ops.filter((op) => op.kind === 'lose-and-kill-leader');
          expect(handovers.length, `seed ${seed}, ${n} ops`).to.be.above(0);
          // The guaranteed leader kill of the other ops is still there.
          expect(ops.some((op) => op.kind === 'kill-replica' && op.target === 'leader')).to.equal(true);
        }
      }
      const soak = opStream(99, profile(TWO, true, true, false));
      const ops: Op[] = [];
      for (const op of soak) if (ops.push(op) === 2_000) break;
      expect(ops.filter(isEventOp).length).to.be.above(150);
      expect(ops.some((op) => op.kind === 'lose-and-kill-leader' || op.kind === 'kill-replica')).to.equal(
        false,
      );
    });

    it('are pinned for a seed, so they cannot drift between versions', () => {
      const first = generateOps(1234, 120, profile(TWO)).filter(isEventOp).slice(0, 3).map(describeOp);
      expect(first).to.deep.equal(PINNED_EVENTS_1234);
    });

    it('lose a seeded base fraction of at least 10% of the events, the same for a seed', () => {
      const fractions = Array.from({ length: 200 }, (_, seed) => eventLoss(seed).fraction);
      for (const fraction of fractions) expect(fraction).to.be.within(MIN_LOSS, 0.2);
      expect(new Set(fractions).size).to.be.above(190);
      const a = eventLoss(77);
      const b = eventLoss(77);
      expect([a.draws.next(), a.draws.next()]).to.deep.equal([b.draws.next(), b.draws.next()]);
    });
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

  it('--log-file takes a path and is not part of the replay command (it does not change the sequence)', () => {
    const options = parseChaosArgs(['--quick', '--seed', '4', '--log-file', '/tmp/replicas.log']);
    expect(options.logFile).to.equal('/tmp/replicas.log');
    expect(replayCommand(options)).to.equal('npm run chaos -- --seed 4 --quick');
    expect(parseChaosArgs(['--quick']).logFile).to.equal(undefined);
    expect(() => parseChaosArgs(['--log-file'])).to.throw('--log-file needs a path');
  });

  it('serves two clusters by default in every mode; --clusters 1 is replayed, 3 is refused', () => {
    expect(parseChaosArgs([], () => 1).clusters).to.equal(2);
    expect(parseChaosArgs(['--quick'], () => 1).clusters).to.equal(2);
    expect(parseChaosArgs(['--soak-minutes', '1'], () => 1).clusters).to.equal(2);
    const one = parseChaosArgs(['--quick', '--clusters', '1', '--seed', '9']);
    expect(one.clusters).to.equal(1);
    const replay = replayCommand(one);
    expect(replay).to.equal('npm run chaos -- --seed 9 --quick --clusters 1');
    expect(parseChaosArgs(replay.split(' ').slice(4))).to.deep.equal(one);
    expect(replayCommand(parseChaosArgs(['--quick', '--seed', '9']))).to.not.contain('--clusters');
    expect(() => parseChaosArgs(['--clusters', '3'])).to.throw('--clusters needs 1 or 2');
  });

  it('turns events mode on by default in every mode; --no-events is replayed', () => {
    for (const args of [['--quick'], [], ['--soak-minutes', '1']]) {
      expect(parseChaosArgs(args, () => 1).events, args.join(' ')).to.equal(true);
    }
    const off = parseChaosArgs(['--quick', '--no-events', '--seed', '3']);
    expect(off.events).to.equal(false);
    const replay = replayCommand(off);
    expect(replay).to.equal('npm run chaos -- --seed 3 --quick --no-events');
    expect(parseChaosArgs(replay.split(' ').slice(4))).to.deep.equal(off);
    expect(replayCommand(parseChaosArgs(['--quick', '--seed', '3']))).to.not.contain('--no-events');
  });

  it('turns hostile ops on by default; --no-hostile is replayed', () => {
    expect(parseChaosArgs(['--quick'], () => 1).hostile).to.equal(true);
    const off = parseChaosArgs(['--quick', '--no-hostile', '--seed', '3']);
    expect(off.hostile).to.equal(false);
    const replay = replayCommand(off);
    expect(replay).to.equal('npm run chaos -- --seed 3 --quick --no-hostile');
    expect(parseChaosArgs(replay.split(' ').slice(4))).to.deep.equal(off);
  });
});
