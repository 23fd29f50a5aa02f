/**
 * Event-path operations (issue 13, "make the adversary permanent"): what the run does to the
 * "ECS Task State Change" events on their way from envtest ECS to the per-cluster SQS queues, and
 * their generator. ./ops.ts interleaves them with the other ops; ./event-driver.ts applies them
 * through ./event-path.ts.
 *
 * - `lose-events`: every event of `cluster` is lost for `durationMs` (a loss window), on top of the
 *   run's base loss fraction (`eventLoss(seed)`).
 * - `event-faults`: the envtest ECS event pipe's own faults armed for its next events: that many
 *   `duplicate`d, `reorder`ed and `delay`ed (by `delayMs`) events.
 * - `forge-event`: forged events sent to `cluster`'s queue, each a copy of the last real event of
 *   one of its mesh tasks: for `STOPPED`, one for every running mesh task of one service (`pick`
 *   among the services running one and without an ACTIVE ECS service, if any, so that a forgery
 *   believed would leave the service with nothing keeping its token); for `RUNNING`, `count` of its
 *   stopped mesh tasks (from `pick` on). Each with a higher `detail.version`, that status, and the
 *   ARN of a cluster that is not `cluster`: another account's of the same name (`other-account`),
 *   another region's (`other-region`), the other served cluster (`sibling`; the unserved `other`
 *   with one cluster) or the unserved cluster `other` (`unserved`). The same forgeries are sent
 *   again every second `repeats` more times (a persistent liar: past a relist, so a controller
 *   that believed one would be told again right after the relist corrected it).
 * - `lose-and-kill-leader`: a leader handover while events are lost: a loss window of `lossMs` on
 *   `cluster` opened right before the holder of `cluster`'s lock is killed (SIGKILL), restarted
 *   `restartAfterMs` later.
 *
 * Invariants:
 * - An event op is plain data drawn from its own PRNG (`eventsPrng(seed)`), never from the other
 *   ops' or the hostile ops' streams, so turning events on or off never changes those.
 * - `drawEventOp` makes the same draws for a kind whatever the variant (every field is drawn), and
 *   draws the cluster last, only with several clusters. Without kills (the soak)
 *   `lose-and-kill-leader` has weight 0, so it is never drawn.
 * - `eventLoss(seed)`: the base loss fraction, in [0.10, 0.20), is the first draw of a third
 *   stream of the seed, whose later draws decide, event by event, which are lost.
 */
import { Prng } from './prng.js';

export const FORGES = ['other-account', 'other-region', 'sibling', 'unserved'] as const;
export type Forge = (typeof FORGES)[number];
export type ForgedStatus = 'STOPPED' | 'RUNNING';

export type EventOp =
  | { readonly kind: 'lose-events'; readonly durationMs: number; readonly cluster: string }
  | {
      readonly kind: 'event-faults';
      readonly duplicate: number;
      readonly reorder: number;
      readonly delay: number;
      readonly delayMs: number;
    }
  | {
      readonly kind: 'forge-event';
      readonly forge: Forge;
      readonly status: ForgedStatus;
      readonly pick: number;
      readonly count: number;
      readonly repeats: number;
      readonly cluster: string;
    }
  | {
      readonly kind: 'lose-and-kill-leader';
      readonly lossMs: number;
      readonly restartAfterMs: number;
      readonly cluster: string;
    };

export type EventKind = EventOp['kind'];

export const EVENT_KINDS: ReadonlySet<string> = new Set<EventKind>([
  'lose-events',
  'event-faults',
  'forge-event',
  'lose-and-kill-leader',
]);

/** Before each other op, the chance that an event op comes first. */
export const EVENT_RATE = 0.12;

/** The lowest base fraction of events lost (issue 13 asks for at least 10%). */
export const MIN_LOSS = 0.1;

const WEIGHTS: Readonly<Record<EventKind, number>> = {
  'lose-events': 3,
  'event-faults': 3,
  'forge-event': 4,
  'lose-and-kill-leader': 1,
};

/** The event stream of `seed`: independent of the other and hostile streams of the same seed. */
export function eventsPrng(seed: number): Prng {
  return new Prng((seed ^ 0x27d4eb2f) | 0);
}

/** The base loss fraction of `seed`, and the stream that then decides each event's loss. */
export function eventLoss(seed: number): { readonly fraction: number; readonly draws: Prng } {
  const draws = new Prng((seed ^ 0x165667b1) | 0);
  return { fraction: MIN_LOSS + 0.1 * draws.next(), draws };
}

export interface EventProfile {
  readonly clusters: readonly string[];
  readonly kills: boolean;
}

export function drawEventOp(prng: Prng, profile: EventProfile): EventOp {
  const weights = profile.kills ? WEIGHTS : { ...WEIGHTS, 'lose-and-kill-leader': 0 };
  const kind = prng.weighted(weights);
  const cluster = () => (profile.clusters.length > 1 ? prng.pick(profile.clusters) : profile.clusters[0]);
  switch (kind) {
    case 'lose-events':
      return { kind, durationMs: prng.between(500, 4_000), cluster: cluster() };
    case 'event-faults':
      return {
        kind,
        duplicate: prng.between(1, 3),
        reorder: prng.between(1, 3),
        delay: prng.between(1, 3),
        delayMs: prng.between(200, 8_000),
      };
    case 'forge-event':
      return {
        kind,
        forge: prng.pick(FORGES),
        status: prng.pick(['STOPPED', 'STOPPED', 'STOPPED', 'RUNNING'] as const),
        pick: prng.int(1_000),
        count: prng.between(1, 3),
        repeats: prng.between(0, 8),
        cluster: cluster(),
      };
    case 'lose-and-kill-leader':
      return {
        kind,
        lossMs: prng.between(4_000, 8_000),
        restartAfterMs: prng.between(0, 2_000),
        cluster: cluster(),
      };
  }
}

/** The handover forced on a run that drew none by its quarter (see ./ops.ts). */
export function forcedHandover(cluster: string): EventOp {
  return { kind: 'lose-and-kill-leader', lossMs: 6_000, restartAfterMs: 500, cluster };
}
