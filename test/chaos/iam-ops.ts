/**
 * The ops of the `controller` chaos run (./iam-main.ts, the consul-ecs v0.10 drop-in) and their
 * generator: what a cluster whose mesh tasks log in to Consul with `aws-iam` does.
 *
 * - `run-task` / `stop-task`: a mesh task of `service` started; the running task `pick` stopped.
 * - `login-token`: the login token Consul makes when the running task `pick` logs in
 *   (`token created via login: {cluster, task-id}`), the cluster named by its ARN or its name.
 * - `register-service`: the running task `pick` registers its service on the cluster's synthetic
 *   node (named by the cluster ARN) with `task-id` meta.
 * - `restart-consul`: Consul stopped for `downMs` and started again with its state, on its port.
 * - `kill-replica`: the leader (or the standby) SIGKILLed, restarted `restartAfterMs` later.
 * Hostile ops (their own stream, before about one op in six):
 * - `foreign-login-token`: a login token naming another cluster (`other`, a look-alike name, our
 *   name under another account or region) and the id of one of our stopped tasks: never ours.
 * - `redescribe-token`: the running task `pick` that has a login token is stopped, and its token
 *   is re-described to the running task `to` `graceMs + offsetMs` after the stop, i.e. about when
 *   the controller deletes it.
 * - `bare-service`: a service on the synthetic node without `task-id` meta (or with one holding
 *   `/`), or a service with a stopped task's `task-id` on another node: never the controller's.
 * - `forge-own-stop`: STOPPED events naming our cluster's exact ARN, for `count` running tasks
 *   from `pick` on, sent to our queue and again every second `repeats` more times (events mode).
 * Event-path ops (./event-ops.ts, their own stream, as the `acl-controller` run draws them).
 *
 * Invariants:
 * - The op sequence is a pure function of the seed and the profile. The main, hostile and event
 *   streams are independent PRNGs of the seed, so turning hostile ops or events off leaves the
 *   other ops of a seed as they were.
 * - With kills, every run has at least one leader kill (inserted at the middle when none was
 *   drawn) and, with events, at least one leader handover while events are lost (at a quarter).
 */
import {
  drawEventOp,
  type EventOp,
  EVENT_KINDS,
  EVENT_RATE,
  eventsPrng,
  forcedHandover,
} from './event-ops.js';
import { Prng } from './prng.js';

export type ForeignCluster = 'other' | 'look-alike' | 'other-account' | 'other-region';

export type IamOp =
  | { readonly kind: 'run-task'; readonly service: string }
  | { readonly kind: 'stop-task'; readonly pick: number }
  | { readonly kind: 'login-token'; readonly pick: number; readonly byArn: boolean }
  | { readonly kind: 'register-service'; readonly pick: number }
  | { readonly kind: 'restart-consul'; readonly downMs: number }
  | { readonly kind: 'kill-replica'; readonly target: 'leader' | 'standby'; readonly restartAfterMs: number }
  | { readonly kind: 'foreign-login-token'; readonly pick: number; readonly foreign: ForeignCluster }
  | {
      readonly kind: 'redescribe-token';
      readonly pick: number;
      readonly to: number;
      readonly offsetMs: number;
    }
  | { readonly kind: 'bare-service'; readonly variant: 'no-meta' | 'slash-meta' | 'other-node' }
  | {
      readonly kind: 'forge-own-stop';
      readonly pick: number;
      readonly count: number;
      readonly repeats: number;
    }
  | EventOp;

export const IAM_HOSTILE_KINDS: ReadonlySet<string> = new Set([
  'foreign-login-token',
  'redescribe-token',
  'bare-service',
  'forge-own-stop',
]);

/** Before each main op, the chance that a hostile op comes first. */
export const IAM_HOSTILE_RATE = 0.17;

const MAIN_WEIGHTS = {
  'run-task': 14,
  'stop-task': 10,
  'login-token': 14,
  'register-service': 9,
  'restart-consul': 1,
  'kill-replica': 2,
} as const;

const HOSTILE_WEIGHTS = {
  'foreign-login-token': 2,
  'redescribe-token': 3,
  'bare-service': 1,
  'forge-own-stop': 3,
} as const;

export interface IamProfile {
  readonly services: readonly string[];
  readonly cluster: string;
  readonly hostile: boolean;
  readonly events: boolean;
  readonly kills: boolean;
}

function mainOp(prng: Prng, profile: IamProfile): IamOp {
  const kind = prng.weighted(profile.kills ? MAIN_WEIGHTS : { ...MAIN_WEIGHTS, 'kill-replica': 0 });
  switch (kind) {
    case 'run-task':
      return { kind, service: prng.pick(profile.services) };
    case 'stop-task':
      return { kind, pick: prng.int(1_000) };
    case 'login-token':
      return { kind, pick: prng.int(1_000), byArn: prng.next() < 0.7 };
    case 'register-service':
      return { kind, pick: prng.int(1_000) };
    case 'restart-consul':
      return { kind, downMs: prng.between(200, 1_500) };
    case 'kill-replica':
      return {
        kind,
        target: prng.next() < 0.7 ? 'leader' : 'standby',
        restartAfterMs: prng.between(0, 2_000),
      };
  }
}

function hostileOp(prng: Prng, profile: IamProfile): IamOp {
  const kind = prng.weighted(profile.events ? HOSTILE_WEIGHTS : { ...HOSTILE_WEIGHTS, 'forge-own-stop': 0 });
  switch (kind) {
    case 'foreign-login-token':
      return {
        kind,
        pick: prng.int(1_000),
        foreign: prng.pick(['other', 'look-alike', 'other-account', 'other-region'] as const),
      };
    case 'redescribe-token':
      return { kind, pick: prng.int(1_000), to: prng.int(1_000), offsetMs: prng.between(-1_200, 300) };
    case 'bare-service':
      return { kind, variant: prng.pick(['no-meta', 'slash-meta', 'other-node'] as const) };
    case 'forge-own-stop':
      return { kind, pick: prng.int(1_000), count: prng.between(1, 3), repeats: prng.between(2, 8) };
  }
}

export function generateIamOps(seed: number, count: number, profile: IamProfile): IamOp[] {
  const main = new Prng(seed);
  const hostile = new Prng((seed ^ 0x5bd1e995) | 0);
  const events = eventsPrng(seed);
  const ops: IamOp[] = [];
  for (let i = 0; i < count; i += 1) {
    if (profile.hostile && hostile.next() < IAM_HOSTILE_RATE) ops.push(hostileOp(hostile, profile));
    if (profile.events && events.next() < EVENT_RATE) {
      ops.push(drawEventOp(events, { clusters: [profile.cluster], kills: profile.kills }));
    }
    ops.push(mainOp(main, profile));
  }
  if (profile.kills && count > 0) {
    if (!ops.some((op) => op.kind === 'kill-replica' && op.target === 'leader')) {
      ops.splice(Math.floor(ops.length / 2), 0, {
        kind: 'kill-replica',
        target: 'leader',
        restartAfterMs: 500,
      });
    }
    if (profile.events && !ops.some((op) => op.kind === 'lose-and-kill-leader')) {
      ops.splice(Math.floor(ops.length / 4), 0, forcedHandover(profile.cluster));
    }
  }
  return ops;
}

export function isIamEventOp(op: IamOp): op is EventOp {
  return EVENT_KINDS.has(op.kind);
}

export function describeIamOp(op: IamOp): string {
  const { kind, ...rest } = op;
  return `${kind} ${JSON.stringify(rest)}`;
}
