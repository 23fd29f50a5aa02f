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
 *   the middle index is made one if the draws gave none before it), so even a short run fails over.
 * - Without `kills` (the soak), no op kills a replica, so each replica lives for the whole run.
 */
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

export type Op =
  | { readonly kind: 'create-service'; readonly service: string; readonly count: number }
  | { readonly kind: 'scale-service'; readonly service: string; readonly count: number }
  | { readonly kind: 'delete-service'; readonly service: string }
  | { readonly kind: 'run-task'; readonly service: string }
  | { readonly kind: 'run-non-mesh-task' }
  | { readonly kind: 'stop-task'; readonly pick: number }
  | { readonly kind: 'delete-token'; readonly pick: number }
  | { readonly kind: 'corrupt-secret'; readonly service: string; readonly corruption: Corruption }
  | { readonly kind: 'restart-consul'; readonly downMs: number }
  | {
      readonly kind: 'kill-replica';
      readonly target: KillTarget;
      readonly pick: number;
      readonly restartAfterMs: number;
    };

export type OpKind = Op['kind'];

export interface OpProfile {
  /** Consul service names the ops draw from (each has its secret from the start). */
  readonly services: readonly string[];
  /** Whether replicas are killed (off in the soak). */
  readonly kills: boolean;
  /** Number of ops, when known: places the guaranteed leader kill in the middle. */
  readonly total?: number;
}

const WEIGHTS: Readonly<Record<OpKind, number>> = {
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

function drawOp(prng: Prng, profile: OpProfile): Op {
  const weights = profile.kills ? WEIGHTS : { ...WEIGHTS, 'kill-replica': 0 };
  const kind = prng.weighted(weights);
  const service = () => prng.pick(profile.services);
  switch (kind) {
    case 'create-service':
      return { kind, service: service(), count: prng.between(0, 2) };
    case 'scale-service':
      return { kind, service: service(), count: prng.between(0, 3) };
    case 'delete-service':
      return { kind, service: service() };
    case 'run-task':
      return { kind, service: service() };
    case 'run-non-mesh-task':
      return { kind };
    case 'stop-task':
      return { kind, pick: prng.int(1_000) };
    case 'delete-token':
      return { kind, pick: prng.int(1_000) };
    case 'corrupt-secret':
      return { kind, service: service(), corruption: prng.pick(CORRUPTIONS) };
    case 'restart-consul':
      return { kind, downMs: prng.between(200, 1_500) };
    case 'kill-replica':
      return {
        kind,
        target: prng.pick(['leader', 'leader', 'standby', 'any'] as const),
        pick: prng.int(1_000),
        restartAfterMs: prng.between(0, 2_000),
      };
  }
}

/** The ops for `seed`, one by one, forever. */
export function* opStream(seed: number, profile: OpProfile): Generator<Op> {
  const prng = new Prng(seed);
  const middle = profile.kills && profile.total !== undefined ? Math.floor(profile.total / 2) : -1;
  let leaderKilled = false;
  for (let index = 0; ; index += 1) {
    let op = drawOp(prng, profile);
    if (index === middle && !leaderKilled) {
      op = { kind: 'kill-replica', target: 'leader', pick: 0, restartAfterMs: 500 };
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
