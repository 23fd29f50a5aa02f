/**
 * Chaos operations: what the run does to the world, and the seeded generator that chooses them.
 *
 * Invariants:
 * - An Op is plain data, fully chosen by the generator; nothing about it depends on the world's
 *   state or on timing. Where an op needs a live object (a task to stop, a token to delete), it
 *   carries `pick`, an index taken modulo the sorted candidates when the op runs. So a seed fixes
 *   the op sequence exactly; what each op finds when it runs depends on timing.
 * - `generateOps(seed, n, profile)` returns the same n ops for the same seed and profile; it is
 *   the first n of `opStream(seed, profile)`.
 * - With `kills`, the sequence contains at least one `kill-replica` aimed at the leader (the op at
 *   the middle index, counting the non-hostile ops only, is made one if the draws gave none before
 *   it), so even a short run fails over.
 * - Without `kills` (the soak), no op kills a replica, so each replica lives for the whole run.
 * - Every op that acts on a cluster (services, tasks, tokens, secrets, and whose lock a kill
 *   aims at) names it in `cluster`, drawn from `profile.clusters` by the same PRNG, after the op's
 *   other draws. With one cluster nothing is drawn for it, so one-cluster sequences are those of
 *   the harness before clusters were added (old replay seeds still replay, with `--no-hostile`).
 * - With `hostile`, a hostile-tenant op (./hostile-ops.ts) comes before each other op with
 *   probability HOSTILE_RATE, decided and drawn by the hostile stream of the seed, which the other
 *   ops never draw from. So the other ops are exactly the sequence without hostile ops, in order
 *   (a prefix of it: n counts the hostile ops too), and the guaranteed leader kill is the other
 *   op at index floor(n / 2) among the other ops; hostile ops are capped at ceil(n / 2) - 1 so
 *   that op is always among the first n. Without `hostile` a seed gives the sequence it gave
 *   before hostile ops were added.
 * - With `events`, an event-path op (./event-ops.ts) comes after the hostile draw and before each
 *   other op with probability EVENT_RATE, decided and drawn by the event stream of the seed, which
 *   neither the other ops nor the hostile ops draw from. Hostile and event ops share the cap of
 *   ceil(n / 2) - 1 (without events it is the hostile cap above), so the other ops stay a prefix
 *   of the sequence without them. With `events` and `kills`, the sequence holds at least one
 *   `lose-and-kill-leader` (a leader handover while events are lost): if the event stream drew
 *   none before the other op at index floor(n / 4), one (`forcedHandover`, on the cluster that
 *   index picks) comes right before it, unless the cap is spent. Without `events` a seed gives
 *   the sequence it gave before event ops were added (`--no-events` replays it exactly).
 */
import {
  drawEventOp,
  EVENT_KINDS,
  EVENT_RATE,
  type EventOp,
  eventsPrng,
  forcedHandover,
} from './event-ops.js';
import { drawHostile, HOSTILE_KINDS, HOSTILE_RATE, type HostileOp, hostilePrng } from './hostile-ops.js';
import { Prng } from './prng.js';

/** Ways a per-service secret is corrupted out of band (see the README's repair policy table). */
export const CORRUPTIONS = [
  'garbage',
  'empty-object',
  'blank',
  'accessor-only',
  'not-uuid',
  'foreign-token',
  'fresh-ids',
] as const;
export type Corruption = (typeof CORRUPTIONS)[number];

export type KillTarget = 'leader' | 'standby' | 'any';

/** The served cluster an op acts on (for a kill: whose lock decides leader and standby). */
interface OnCluster {
  readonly cluster: string;
}

export type Op =
  | HostileOp
  | EventOp
  | ({ readonly kind: 'create-service'; readonly service: string; readonly count: number } & OnCluster)
  | ({ readonly kind: 'scale-service'; readonly service: string; readonly count: number } & OnCluster)
  | ({ readonly kind: 'delete-service'; readonly service: string } & OnCluster)
  | ({ readonly kind: 'run-task'; readonly service: string } & OnCluster)
  | ({ readonly kind: 'run-non-mesh-task' } & OnCluster)
  | ({ readonly kind: 'stop-task'; readonly pick: number } & OnCluster)
  | ({ readonly kind: 'delete-token'; readonly pick: number } & OnCluster)
  | ({
      readonly kind: 'corrupt-secret';
      readonly service: string;
      readonly corruption: Corruption;
    } & OnCluster)
  | { readonly kind: 'restart-consul'; readonly downMs: number }
  | ({
      readonly kind: 'kill-replica';
      readonly target: KillTarget;
      readonly pick: number;
      readonly restartAfterMs: number;
    } & OnCluster);

export type OpKind = Op['kind'];

export function isHostile(op: Op): op is HostileOp {
  return HOSTILE_KINDS.has(op.kind);
}

export function isEventOp(op: Op): op is EventOp {
  return EVENT_KINDS.has(op.kind);
}

export interface OpProfile {
  /** Consul service names the ops draw from (each has its secret from the start). */
  readonly services: readonly string[];
  /** The served clusters, in flag order (at least one). */
  readonly clusters: readonly string[];
  /** Whether replicas are killed (off in the soak). */
  readonly kills: boolean;
  /** Whether hostile-tenant ops are interleaved (`--no-hostile` turns them off). */
  readonly hostile: boolean;
  /** Whether event-path ops are interleaved (`--no-events` turns them off; absent: off). */
  readonly events?: boolean;
  /** Number of ops, when known: places the guaranteed leader kill in the middle. */
  readonly total?: number;
}

type BaseKind = Exclude<OpKind, HostileOp['kind'] | EventOp['kind']>;

const WEIGHTS: Readonly<Record<BaseKind, number>> = {
  'create-service': 14,
  'scale-service': 14,
  'delete-service': 6,
  'run-task': 12,
  'run-non-mesh-task': 3,
  'stop-task': 14,
  'delete-token': 8,
  'corrupt-secret': 8,
  'restart-consul': 2,
  'kill-replica': 4,
};

function drawOp(prng: Prng, profile: OpProfile): Exclude<Op, HostileOp | EventOp> {
  const weights = profile.kills ? WEIGHTS : { ...WEIGHTS, 'kill-replica': 0 };
  const kind = prng.weighted(weights);
  const service = () => prng.pick(profile.services);
  // Drawn last in each op (object literals evaluate in order), and only with several clusters.
  const cluster = () => (profile.clusters.length > 1 ? prng.pick(profile.clusters) : profile.clusters[0]);
  switch (kind) {
    case 'create-service':
      return { kind, service: service(), count: prng.between(0, 2), cluster: cluster() };
    case 'scale-service':
      return { kind, service: service(), count: prng.between(0, 3), cluster: cluster() };
    case 'delete-service':
      return { kind, service: service(), cluster: cluster() };
    case 'run-task':
      return { kind, service: service(), cluster: cluster() };
    case 'run-non-mesh-task':
      return { kind, cluster: cluster() };
    case 'stop-task':
      return { kind, pick: prng.int(1_000), cluster: cluster() };
    case 'delete-token':
      return { kind, pick: prng.int(1_000), cluster: cluster() };
    case 'corrupt-secret':
      return { kind, service: service(), corruption: prng.pick(CORRUPTIONS), cluster: cluster() };
    case 'restart-consul':
      return { kind, downMs: prng.between(200, 1_500) };
    case 'kill-replica':
      return {
        kind,
        target: prng.pick(['leader', 'leader', 'standby', 'any'] as const),
        pick: prng.int(1_000),
        restartAfterMs: prng.between(0, 2_000),
        cluster: cluster(),
      };
  }
}

/** The ops for `seed`, one by one, forever. */
export function* opStream(seed: number, profile: OpProfile): Generator<Op> {
  const prng = new Prng(seed);
  const hostile = hostilePrng(seed);
  const events = eventsPrng(seed);
  const middle = profile.kills && profile.total !== undefined ? Math.floor(profile.total / 2) : -1;
  const extraCap = middle >= 0 ? (profile.total as number) - 1 - middle : Number.POSITIVE_INFINITY;
  const handoverAt =
    profile.events && profile.kills && profile.total !== undefined ? Math.floor(profile.total / 4) : -1;
  let extraCount = 0;
  let leaderKilled = false;
  let handedOver = false;
  // `index` counts the other ops only: hostile and event ops never shift them.
  for (let index = 0; ; index += 1) {
    if (profile.hostile && hostile.next() < HOSTILE_RATE && extraCount < extraCap) {
      extraCount += 1;
      yield drawHostile(hostile, profile);
    }
    if (profile.events) {
      if (events.next() < EVENT_RATE && extraCount < extraCap) {
        extraCount += 1;
        const drawn = drawEventOp(events, profile);
        if (drawn.kind === 'lose-and-kill-leader') handedOver = true;
        yield drawn;
      }
      if (index === handoverAt && !handedOver && extraCount < extraCap) {
        extraCount += 1;
        handedOver = true;
        yield forcedHandover(profile.clusters[handoverAt % profile.clusters.length]);
      }
    }
    let op: Op = drawOp(prng, profile);
    if (index === middle && !leaderKilled) {
      // The middle kill aims at the lock of the cluster the middle index picks (deterministic).
      const cluster = profile.clusters[middle % profile.clusters.length];
      op = { kind: 'kill-replica', target: 'leader', pick: 0, restartAfterMs: 500, cluster };
    }
    if (op.kind === 'kill-replica' && op.target === 'leader') leaderKilled = true;
    yield op;
  }
}

export function generateOps(seed: number, count: number, profile: Omit<OpProfile, 'total'>): Op[] {
  const ops: Op[] = [];
  for (const op of opStream(seed, { ...profile, total: count })) {
    if (ops.length >= count) break;
    ops.push(op);
  }
  return ops;
}

/** One short line per op, for the run's log and for replay comparisons. */
export function describeOp(op: Op): string {
  const { kind, ...rest } = op;
  const fields = Object.entries(rest).map(([key, value]) => `${key}=${String(value)}`);
  return [kind, ...fields].join(' ');
}
