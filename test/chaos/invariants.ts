/**
 * The chaos run's invariants, checked against envtest state and call logs (never through the
 * APIs, so injected faults cannot hide or fake a result).
 *
 * State invariants (`stateViolations`; the run waits for them to hold once faults stop):
 * - missing-token / duplicate-token: every active mesh service has exactly one token we own
 *   (description parses and names exactly our cluster, see src/mesh/token-description.ts).
 * - wrong-identity: that token's service identities are exactly the service.
 * - secret-mismatch: `<prefix>-<service>` holds `{"accessor_id","token"}` equal to that token's
 *   AccessorID and SecretID.
 * - leftover-token: no token we own is left for a service that has not been active for longer
 *   than `leftoverAfterMs`.
 * - client-token: the client secret names an existing token with the client description.
 * Safety invariants (`safetyViolations`; must hold over the whole run):
 * - foreign-touched: no create/update/delete/clone in the Consul call logs, and no Secrets Manager
 *   call other than a read, named a foreign token or secret after seeding; and each one still
 *   exists exactly as seeded.
 * - secret-id-leak: no UUID seen in a log line or /metrics is a SecretID (messages name the
 *   token's AccessorID, never the SecretID).
 * - crash: every crash or unhandled rejection the run did not cause.
 */
import { type CallRecord } from '../../src/envtest/call-log.js';
import { type AclToken } from '../../src/envtest/consul/acl/model.js';
import { type ConsulState } from '../../src/envtest/consul/state.js';
import { type SecretStore } from '../../src/envtest/secretsmanager/store.js';
import { clientTokenDescription, parseOwnedDescription } from '../../src/mesh/token-description.js';
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

interface SecretIds {
  readonly accessorId?: unknown;
  readonly token?: unknown;
}

function secretIds(store: SecretStore, id: string): SecretIds | undefined {
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
  const add = (kind: ViolationKind, message: string) => violations.push({ kind, message });
  const owned = ownedTokens(input.consul, input.cluster);
  for (const service of [...input.active].sort()) {
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
    if (input.active.has(service)) continue;
    const gone = input.goneForMs(service);
    if (gone <= input.leftoverAfterMs) continue;
    for (const token of tokens) {
      const since = Number.isFinite(gone) ? `${(gone / 1000).toFixed(1)} s` : 'the start';
      add('leftover-token', `token ${token.accessorId} left for ${service}, gone since ${since}`);
    }
  }
  const client = secretIds(input.secrets, input.clientSecretId);
  const clientToken =
    typeof client?.accessorId === 'string' ? input.consul.tokens.get(client.accessorId) : undefined;
  if (
    clientToken?.secretId !== client?.token ||
    clientToken?.description !== clientTokenDescription(input.cluster)
  ) {
    add('client-token', `the client secret does not name a client token of ${input.cluster}`);
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
