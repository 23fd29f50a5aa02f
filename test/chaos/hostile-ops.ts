/**
 * Hostile-tenant operations (issue 12): what a tenant who controls task tags, task families and
 * one service's secret does to make the controller damage tokens it does not own, and their
 * generator. ./ops.ts interleaves them with the other ops.
 *
 * - `collide-client-secret`: a mesh task (by family, or by `consul.hashicorp.com/service-name`
 *   tag on a task of `family`) or an ECS service (created if absent, deleted if present, so the
 *   sequence also takes it away) named so that its `<prefix>-<service>` secret is the cluster's
 *   client secret. The name is not in the op: the driver derives it from the world's client secret
 *   name. `family` is used only by the tag variant, `count` only by the ECS service.
 * - `plant-secret`: a service's secret overwritten with another live service's value (`copy`),
 *   with that service's AccessorID and a random SecretID (`accessor`), or with the client
 *   secret's value (`client-copy`). `pick` chooses the source among the cluster's active services
 *   whose secret names their healthy token, `target` the victim among the other active services
 *   (each modulo the sorted candidates, when the op runs).
 * - `grant-client-token`: the client token given the global-management policy, a role linking
 *   it, or a service identity, through the Consul API (description and other links kept).
 * - `rewrite-client-policy`: the client policy's rules replaced (`acl = "write"`, or the
 *   desired rules with service write).
 *
 * Invariants:
 * - A hostile op is plain data, drawn from its own PRNG (`hostilePrng(seed)`), never from the
 *   stream of the other ops, so turning hostile ops on or off never changes the other ops.
 * - `drawHostile` makes the same draws for a kind whatever the variant (every field is drawn),
 *   and draws the cluster last, only with several clusters.
 */
import { Prng } from './prng.js';

export const COLLISIONS = ['task-family', 'task-tag', 'ecs-service'] as const;
export type Collision = (typeof COLLISIONS)[number];
export const PLANTS = ['copy', 'accessor', 'client-copy'] as const;
export type Plant = (typeof PLANTS)[number];
export const GRANTS = ['global-management', 'role', 'service-identity'] as const;
export type Grant = (typeof GRANTS)[number];
export const POLICY_REWRITES = ['acl-write', 'service-write'] as const;
export type PolicyRewrite = (typeof POLICY_REWRITES)[number];

export type HostileOp =
  | {
      readonly kind: 'collide-client-secret';
      readonly via: Collision;
      readonly family: string;
      readonly count: number;
      readonly cluster: string;
    }
  | {
      readonly kind: 'plant-secret';
      readonly plant: Plant;
      readonly pick: number;
      readonly target: number;
      readonly cluster: string;
    }
  | { readonly kind: 'grant-client-token'; readonly grant: Grant; readonly cluster: string }
  | { readonly kind: 'rewrite-client-policy'; readonly rules: PolicyRewrite; readonly cluster: string };

export type HostileKind = HostileOp['kind'];

export const HOSTILE_KINDS: ReadonlySet<string> = new Set<HostileKind>([
  'collide-client-secret',
  'plant-secret',
  'grant-client-token',
  'rewrite-client-policy',
]);

/** Before each other op, the chance that a hostile op comes first. */
export const HOSTILE_RATE = 0.1;

const WEIGHTS: Readonly<Record<HostileKind, number>> = {
  'collide-client-secret': 3,
  'plant-secret': 4,
  'grant-client-token': 2,
  'rewrite-client-policy': 2,
};

/** The hostile stream of `seed`: independent of the other ops' stream of the same seed. */
export function hostilePrng(seed: number): Prng {
  return new Prng((seed ^ 0x5bd1e995) | 0);
}

export interface HostileProfile {
  readonly services: readonly string[];
  readonly clusters: readonly string[];
}

export function drawHostile(prng: Prng, profile: HostileProfile): HostileOp {
  const kind = prng.weighted(WEIGHTS);
  const cluster = () => (profile.clusters.length > 1 ? prng.pick(profile.clusters) : profile.clusters[0]);
  switch (kind) {
    case 'collide-client-secret':
      return {
        kind,
        via: prng.pick(COLLISIONS),
        family: prng.pick(profile.services),
        count: prng.between(0, 1),
        cluster: cluster(),
      };
    case 'plant-secret':
      return {
        kind,
        plant: prng.pick(PLANTS),
        pick: prng.int(1_000),
        target: prng.int(1_000),
        cluster: cluster(),
      };
    case 'grant-client-token':
      return { kind, grant: prng.pick(GRANTS), cluster: cluster() };
    case 'rewrite-client-policy':
      return { kind, rules: prng.pick(POLICY_REWRITES), cluster: cluster() };
  }
}
