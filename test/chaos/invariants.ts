/**
 * The chaos run's invariants, checked against envtest state and call logs (never through the
 * APIs, so injected faults cannot hide or fake a result).
 *
 * State invariants (`stateViolations`; the run waits for them to hold once faults stop):
 * - missing-token / duplicate-token: every active mesh service has exactly one token we own
 *   (description parses and names exactly our cluster, see controllers/domain/token-description.ts).
 * - wrong-identity: that token's service identities are exactly the service.
 * - secret-mismatch: `<prefix>-<service>` holds `{"accessor_id","token"}` equal to that token's
 *   AccessorID and SecretID.
 * - leftover-token: no token we own is left for a service that has not been active for longer
 *   than `leftoverAfterMs`.
 * - client-token: the client secret names an existing token with the client description and
 *   SecretID (./client-invariants.ts; ./client-watch.ts checks it throughout the run too).
 * - client-drift: that token links exactly the client policy (no other policy, role or identity),
 *   whose rules are the desired ones up to whitespace (./client-invariants.ts).
 * - refused-service: a service whose `<prefix>-<service>` secret is the client secret must be
 *   refused: it is not expected to have a token, and no token of the cluster may be its.
 * Each served cluster is checked on its own (`stateViolations` once per cluster); messages start
 * with the cluster's name.
 * Cross-cluster invariants (the served clusters share one process, one Consul token and one AWS
 * key, so no call log says which cluster's side made a call; these judge what a call did):
 * - `judgeTokenWrite` (each Consul token write not made by the run's driver, judged as it is
 *   recorded, with the owner the token had just before): an update must leave a served cluster's
 *   token owned by the same cluster (else `cross-cluster`) and, for the same service, the client
 *   token the client token (else `token-owner`: a reconcile of one service wrote another's token,
 *   or turned the client token into a service token); a delete of a token a served client
 *   secret names with its SecretID is `token-owner` (the controller never deletes the client
 *   token, whatever its description has become); a delete of a token that was its cluster's
 *   wanted token (its service active in that cluster for at least the window, and its cluster's
 *   secret naming it with its SecretID) has no reason on its owner's side: `token-owner` when
 *   another served secret names it too, or the run planted its AccessorID in another service's
 *   secret (a reconcile of that service, or one misled by it, made it), else `cross-cluster` (the
 *   other cluster's side made it).
 * - `judgeSecretWrite` (each controller write of a served secret's value, judged as it is
 *   recorded): a write that replaced a value naming its cluster's own healthy token for that
 *   service (the token exists, with that SecretID), current for at least the window, has no
 *   reason on that cluster's side (the controller writes fresh IDs only into an empty, partial,
 *   malformed or conflicting secret), so the other side made it.
 * - `crossClusterViolations` (at the end, over every token owner and secret version seen): no
 *   secret of one served cluster ever named a token another served cluster owns, and no token
 *   ever changed owner (`cross-cluster` across clusters, `token-owner` within one), except a
 *   token whose AccessorID the driver planted in another service's secret: deleted and recreated
 *   under the planted service (which the controller may do once the token is gone) it changes
 *   owner legitimately; changed in place, `judgeTokenWrite` reports it.
 * - `judgeRunningDelete` (./running-delete.ts, on the same TokenWrite): a delete of the token a
 *   service's secret names, while that service has had a running mesh task in its cluster for
 *   the window, is `deleted-while-running`.
 * Safety invariants (`safetyViolations`; must hold over the whole run):
 * - foreign-touched: no create/update/delete/clone in the Consul call logs, and no Secrets Manager
 *   call other than a read, named a foreign token or secret after seeding; and each one still
 *   exists exactly as seeded.
 * - secret-id-leak: no UUID seen in a log line or /metrics is a SecretID (messages name the
 *   token's AccessorID, never the SecretID).
 * - crash: every crash or unhandled rejection the run did not cause.
 */
import { type CallRecord } from '../../envtest/call-log.js';
import { type AclToken } from '../../envtest/consul/acl/model.js';
import { type ConsulState } from '../../envtest/consul/state.js';
import { type SecretStore } from '../../envtest/secretsmanager/store.js';
import { clientTokenDescription, parseOwnedDescription } from '../../controllers/domain/token-description.js';
import { clientDriftProblems, clientTokenProblem } from './client-invariants.js';
import { type ForeignBaseline, secretBaseline, tokenBaseline } from './foreign.js';

export type ViolationKind =
  | 'missing-token'
  | 'duplicate-token'
  | 'wrong-identity'
  | 'secret-mismatch'
  | 'leftover-token'
  | 'client-token'
  | 'foreign-touched'
  | 'secret-id-leak'
  | 'crash'
  | 'cross-cluster'
  | 'token-owner'
  | 'client-drift'
  | 'refused-service'
  | 'deleted-while-running'
  | 'not-converged';

export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
}

export interface StateInput {
  readonly cluster: string;
  readonly prefix: string;
  readonly clientSecretId: string;
  readonly consul: ConsulState;
  readonly secrets: SecretStore;
  /** Services that need a token now. */
  readonly active: ReadonlySet<string>;
  /** How long a service that is not active has not been (Infinity if never seen active). */
  readonly goneForMs: (service: string) => number;
  readonly leftoverAfterMs: number;
}

export interface SafetyInput {
  readonly foreign: ForeignBaseline;
  readonly consul: ConsulState;
  readonly secrets: SecretStore;
  readonly consulCalls: readonly CallRecord[];
  readonly smCalls: readonly CallRecord[];
  /** Every SecretID seen during the run, with its token's AccessorID (or a label). */
  readonly secretIds: ReadonlyMap<string, string>;
  /** UUIDs seen in controller output, with where each was first seen. */
  readonly logUuids: ReadonlyMap<string, string>;
  readonly crashes: readonly string[];
}

const CONSUL_WRITES = new Set([
  'acl.token.create',
  'acl.token.update',
  'acl.token.delete',
  'acl.token.clone',
]);
const SM_READ = /^(Get|Describe|List|BatchGet)/;

export interface SecretIds {
  readonly accessorId?: unknown;
  readonly token?: unknown;
}

export function secretIds(store: SecretStore, id: string): SecretIds | undefined {
  const secret = store.find(id);
  if (!secret) return undefined;
  const value = [...secret.versions.values()].find((v) => v.stages.includes('AWSCURRENT'))?.secretString;
  try {
    const parsed = JSON.parse(value ?? '') as { accessor_id?: unknown; token?: unknown } | null;
    return { accessorId: parsed?.accessor_id, token: parsed?.token };
  } catch {
    return {};
  }
}

/** Our cluster's service tokens, by service name. */
export function ownedTokens(consul: ConsulState, cluster: string): Map<string, AclToken[]> {
  const byService = new Map<string, AclToken[]>();
  for (const token of consul.tokens.values()) {
    const owned = parseOwnedDescription(token.description, cluster);
    if (owned?.kind !== 'token') continue;
    const list = byService.get(owned.service.name) ?? [];
    list.push(token);
    byService.set(owned.service.name, list);
  }
  return byService;
}

export function stateViolations(input: StateInput): Violation[] {
  const violations: Violation[] = [];
  const add = (kind: ViolationKind, message: string) =>
    violations.push({ kind, message: `${input.cluster}: ${message}` });
  const owned = ownedTokens(input.consul, input.cluster);
  const clientSecretName = input.secrets.find(input.clientSecretId)?.name;
  const refused = (service: string) => `${input.prefix}-${service}` === clientSecretName;
  for (const service of [...input.active].sort()) {
    if (refused(service)) continue;
    const tokens = owned.get(service) ?? [];
    if (tokens.length === 0) {
      add('missing-token', `active service ${service} has no token`);
      continue;
    }
    if (tokens.length > 1) {
      const ids = tokens.map((token) => token.accessorId).join(', ');
      add('duplicate-token', `active service ${service} has ${tokens.length} tokens: ${ids}`);
      continue;
    }
    const [token] = tokens;
    const identities = token.serviceIdentities.map((identity) => identity.ServiceName);
    if (identities.length !== 1 || identities[0] !== service) {
      add(
        'wrong-identity',
        `token ${token.accessorId} of ${service} has identities [${identities.join(', ')}]`,
      );
    }
    const secret = secretIds(input.secrets, `${input.prefix}-${service}`);
    if (secret?.accessorId !== token.accessorId || secret.token !== token.secretId) {
      const why =
        secret === undefined
          ? 'the secret does not exist'
          : secret.accessorId !== token.accessorId
            ? `the secret names accessor ${String(secret.accessorId)}`
            : 'the SecretIDs differ';
      add('secret-mismatch', `token ${token.accessorId} of ${service} does not match its secret: ${why}`);
    }
  }
  for (const [service, tokens] of [...owned].sort(([a], [b]) => a.localeCompare(b))) {
    if (refused(service)) {
      for (const token of tokens) {
        add(
          'refused-service',
          `token ${token.accessorId} is ${service}'s, whose secret ${clientSecretName} is the client secret`,
        );
      }
      continue;
    }
    if (input.active.has(service)) continue;
    const gone = input.goneForMs(service);
    if (gone <= input.leftoverAfterMs) continue;
    for (const token of tokens) {
      const since = Number.isFinite(gone) ? `${(gone / 1000).toFixed(1)} s` : 'the start';
      add('leftover-token', `token ${token.accessorId} left for ${service}, gone since ${since}`);
    }
  }
  const client = secretIds(input.secrets, input.clientSecretId);
  const problem = clientTokenProblem(input.consul, input.cluster, client);
  if (problem !== undefined) {
    add('client-token', `the client secret does not name a client token of ${input.cluster}: ${problem}`);
  }
  for (const drift of clientDriftProblems(input.consul, input.cluster, input.prefix, client)) {
    add('client-drift', drift);
  }
  return violations;
}

export function safetyViolations(input: SafetyInput): Violation[] {
  const violations: Violation[] = [];
  const add = (kind: ViolationKind, message: string) => violations.push({ kind, message });
  const { foreign } = input;
  const foreignAccessors = new Set(foreign.tokens.map((token) => token.accessorId));
  for (const call of input.consulCalls.slice(foreign.consulCallsBefore)) {
    if (CONSUL_WRITES.has(call.operation) && call.resource && foreignAccessors.has(call.resource)) {
      add('foreign-touched', `${call.operation} on foreign token ${call.resource} (HTTP ${call.status})`);
    }
  }
  for (const call of input.smCalls.slice(foreign.smCallsBefore)) {
    if (SM_READ.test(call.operation) || !call.resource) continue;
    const resource = call.resource;
    const hit = foreign.secrets.find((s) => resource === s.name || s.arn.startsWith(resource));
    if (hit) add('foreign-touched', `${call.operation} on foreign secret ${hit.name} by ${call.principal}`);
  }
  for (const seeded of foreign.tokens) {
    const now = input.consul.tokens.get(seeded.accessorId);
    if (!now) add('foreign-touched', `foreign token ${seeded.accessorId} is gone`);
    else if (JSON.stringify(tokenBaseline(now)) !== JSON.stringify(seeded)) {
      add('foreign-touched', `foreign token ${seeded.accessorId} was changed`);
    }
  }
  for (const seeded of foreign.secrets) {
    const now = secretBaseline(input.secrets, seeded.name);
    if (JSON.stringify(now) !== JSON.stringify(seeded)) {
      add('foreign-touched', `foreign secret ${seeded.name} is gone or changed`);
    }
  }
  for (const [uuid, where] of input.logUuids) {
    const owner = input.secretIds.get(uuid);
    if (owner !== undefined) add('secret-id-leak', `the SecretID of ${owner} appears in ${where}`);
  }
  for (const crash of input.crashes) add('crash', crash);
  return violations;
}

/** Which served cluster owns a token, and for which service (`client` marks the client token). */
export interface TokenOwner {
  readonly cluster: string;
  readonly service: string;
  readonly secretId: string;
}

export const CLIENT = '(client token)';

export function tokenOwner(token: AclToken, clusters: readonly string[]): TokenOwner | undefined {
  for (const cluster of clusters) {
    if (token.description === clientTokenDescription(cluster)) {
      return { cluster, service: CLIENT, secretId: token.secretId };
    }
    const owned = parseOwnedDescription(token.description, cluster);
    if (owned?.kind === 'token') return { cluster, service: owned.service.name, secretId: token.secretId };
  }
  return undefined;
}

export interface TokenWrite {
  readonly operation: string;
  readonly status: number;
  readonly accessorId: string;
  /** Its owner as last observed before the call (undefined: not a served cluster's token). */
  readonly before: TokenOwner | undefined;
  /** The token in the state right after the call. */
  readonly after: AclToken | undefined;
  /** The driver itself was deleting this token out of band at the time. */
  readonly byDriver: boolean;
  /** The owner cluster's secret for the owner's service (or its client secret), right after. */
  readonly ownerSecret: SecretIds | undefined;
  /** How long the owner's service had been active in the owner cluster (client token: known). */
  readonly wantedForMs: number;
  /** The served cluster whose client secret names this token with its SecretID before the call. */
  readonly clientOf?: string;
  /** The served secrets, other than the owner's own, that name this token's AccessorID. */
  readonly namedBy?: readonly string[];
  /** The driver planted this AccessorID in another service's secret during the run. */
  readonly planted?: boolean;
  /**
   * How long the owner's service had had a running mesh task in the owner cluster at the call
   * (the oldest one's age, from the ECS state; 0 when none): see ./running-delete.ts.
   */
  readonly runningForMs?: number;
}

/**
 * A violation, if the controller's write `w` cannot have been made for its token's own owner: a
 * reconcile of another cluster (`cross-cluster`) or of another service or the client
 * (`token-owner`) wrote it.
 */
export function judgeTokenWrite(
  w: TokenWrite,
  clusters: readonly string[],
  windowMs: number,
): Violation | undefined {
  if (w.status !== 200 || w.byDriver) return undefined;
  const deleted = w.operation === 'acl.token.delete' && w.after === undefined;
  if (deleted && w.clientOf !== undefined) {
    const was = w.before ? ` (then of ${w.before.cluster} (${w.before.service}))` : '';
    return {
      kind: 'token-owner',
      message: `acl.token.delete deleted token ${w.accessorId}${was}, which ${w.clientOf}'s client secret names`,
    };
  }
  if (w.before === undefined) return undefined;
  const { cluster, service } = w.before;
  const what = `token ${w.accessorId} of ${cluster} (${service})`;
  if (w.operation === 'acl.token.update' && w.after) {
    const now = tokenOwner(w.after, clusters);
    if (now?.cluster !== cluster) {
      const became = now ? `of ${now.cluster} (${now.service})` : 'owned by no served cluster';
      return { kind: 'cross-cluster', message: `acl.token.update made ${what} ${became}` };
    }
    if (now.service !== service) {
      return {
        kind: 'token-owner',
        message: `acl.token.update made ${what} a token of ${cluster} (${now.service})`,
      };
    }
  }
  if (deleted) {
    const named = w.ownerSecret?.accessorId === w.accessorId && w.ownerSecret.token === w.before.secretId;
    if (named && w.wantedForMs >= windowMs) {
      const others = w.namedBy ?? [];
      const by =
        others.length > 0
          ? `; ${others.join(', ')} names it too`
          : w.planted
            ? "; the run planted its AccessorID in another service's secret"
            : '';
      return {
        kind: others.length > 0 || w.planted ? 'token-owner' : 'cross-cluster',
        message:
          `${what} deleted while it had been ${cluster}'s wanted token for ` +
          `${(w.wantedForMs / 1000).toFixed(1)} s (service active, its secret naming it): ` +
          `no reason on ${cluster} (${service})'s side${by}`,
      };
    }
  }
  return undefined;
}

/** A token found, at a sample, owned otherwise than at the sample before (`to`: no served cluster). */
export interface OwnerChange {
  readonly accessorId: string;
  readonly from: TokenOwner;
  readonly to: TokenOwner | undefined;
}

export interface CrossClusterInput {
  /** Every served cluster token's owner, by AccessorID, as first seen. */
  readonly owners: ReadonlyMap<string, TokenOwner>;
  /** Owner changes seen between samples. */
  readonly ownerChanges: readonly OwnerChange[];
  /** Per served cluster, the AccessorIDs each of its secrets (any version) ever named. */
  readonly secretAccessors: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
  /** AccessorIDs the driver planted in another service's secret (their owner changes are judged per write). */
  readonly planted?: ReadonlySet<string>;
}

export function crossClusterViolations(input: CrossClusterInput): Violation[] {
  const violations: Violation[] = [];
  for (const { accessorId, from, to } of input.ownerChanges) {
    if (input.planted?.has(accessorId)) continue;
    const now = to ? `${to.cluster} (${to.service})` : 'no served cluster';
    violations.push({
      kind: to?.cluster === from.cluster ? 'token-owner' : 'cross-cluster',
      message: `token ${accessorId} of ${from.cluster} (${from.service}) is now owned by ${now}`,
    });
  }
  for (const [cluster, secrets] of input.secretAccessors) {
    for (const [name, accessors] of secrets) {
      for (const accessor of accessors) {
        const owner = input.owners.get(accessor);
        if (owner === undefined || owner.cluster === cluster) continue;
        violations.push({
          kind: 'cross-cluster',
          message: `secret ${name} of ${cluster} named token ${accessor} of ${owner.cluster} (${owner.service})`,
        });
      }
    }
  }
  return violations;
}

export interface SecretWrite {
  readonly operation: string;
  readonly status: number;
  /** The caller's access key ID (the controller's, or the run's own). */
  readonly principal: string | undefined;
  /** The served secret written: its cluster and service (`CLIENT` for the client secret). */
  readonly cluster: string;
  readonly service: string;
  readonly name: string;
  /** The value this write replaced (the version now AWSPREVIOUS), if this write made a version. */
  readonly replaced: SecretIds | undefined;
  /** How long the replaced value had been current when it was replaced. */
  readonly replacedForMs: number;
  /** The token the replaced value named, as it is now. */
  readonly replacedToken: AclToken | undefined;
}

const SECRET_WRITES = new Set(['PutSecretValue', 'UpdateSecret']);

/** A cross-cluster violation, if the controller's write `w` cannot have been made by its own cluster. */
export function judgeSecretWrite(
  w: SecretWrite,
  controller: string,
  clusters: readonly string[],
  windowMs: number,
): Violation | undefined {
  if (!SECRET_WRITES.has(w.operation) || w.status !== 200 || w.principal !== controller) return undefined;
  const { replaced, replacedToken } = w;
  if (replaced === undefined || replacedToken === undefined || w.replacedForMs < windowMs) return undefined;
  if (replaced.accessorId !== replacedToken.accessorId || replaced.token !== replacedToken.secretId) {
    return undefined;
  }
  const owner = tokenOwner(replacedToken, clusters);
  if (owner?.cluster !== w.cluster || owner.service !== w.service) return undefined;
  return {
    kind: 'cross-cluster',
    message:
      `${w.operation} on secret ${w.name} of ${w.cluster} replaced the IDs of its healthy token ` +
      `${replacedToken.accessorId} (${w.service}), current for ${(w.replacedForMs / 1000).toFixed(1)} s: ` +
      `no reason on ${w.cluster}'s side`,
  };
}
