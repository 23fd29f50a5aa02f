/**
 * Sessions: create, renew, destroy, read and list, plus invalidation (which frees held locks).
 *
 * Invariants:
 * - A session's node, and each of its node checks (default serfHealth), are registered when it is created.
 * - Invalidating a session (destroy, TTL expiry, node deregistration) deletes it and, in the same
 *   write, releases or deletes every key it holds and starts their lock-delay.
 * - TTLs must lie in [sessionTtlMin, 24h]; Consul's error text is kept.
 */
import { formatGoDuration, parseGoDuration } from '../../src/time/go-duration.js';
import { notFound, rpcError } from './errors.js';
import { type IdGenerator } from './ids.js';
import { ANY, type Decoded, STRING, STRING_ARRAY, type StructSchema } from './json-body.js';
import { type Session, type SessionBehavior } from './session-model.js';
import { releaseSessionKeys } from './kv.js';
import { type Scope } from './scope.js';
import { type ConsulState } from './state.js';

export const DEFAULT_LOCK_DELAY_MS = 15_000;
export const MAX_SESSION_TTL_MS = 24 * 3_600_000;
const LOCK_DELAY_SECONDS_THRESHOLD = 1000;

export function sessionSchema(enterprise: boolean): StructSchema {
  return {
    structName: 'Session',
    fields: {
      ID: STRING,
      Name: STRING,
      Node: STRING,
      NodeChecks: STRING_ARRAY,
      ServiceChecks: ANY,
      Checks: STRING_ARRAY,
      LockDelay: ANY,
      Behavior: STRING,
      TTL: STRING,
      CreateIndex: ANY,
      ModifyIndex: ANY,
      ...(enterprise ? { Namespace: STRING, Partition: STRING } : {}),
    },
  };
}

export function renderSession(session: Session, enterprise: boolean): Record<string, unknown> {
  return {
    ID: session.id,
    Name: session.name,
    Node: session.node,
    LockDelay: session.lockDelayMs * 1e6,
    Behavior: session.behavior,
    TTL: session.ttl,
    NodeChecks: session.nodeChecks,
    ServiceChecks: session.serviceChecks.length > 0 ? session.serviceChecks : null,
    ...(enterprise ? { Namespace: session.scope.namespace, Partition: session.scope.partition } : {}),
    CreateIndex: session.createIndex,
    ModifyIndex: session.modifyIndex,
  };
}

/** LockDelay as Consul's FixupLockDelay reads it: a duration string, or a number of seconds/nanoseconds. */
function lockDelayMs(raw: unknown): number {
  if (raw === undefined || raw === null) return DEFAULT_LOCK_DELAY_MS;
  if (typeof raw === 'number') return raw < LOCK_DELAY_SECONDS_THRESHOLD ? raw * 1000 : raw / 1e6;
  if (typeof raw === 'string') {
    const ms = parseGoDuration(raw);
    if (ms === undefined)
      throw rpcError(`Request decode failed: time: invalid duration ${JSON.stringify(raw)}`);
    return ms;
  }
  throw rpcError('Request decode failed: invalid LockDelay');
}

export interface SessionCreateOptions {
  readonly defaultNode: string;
  readonly ttlMinMs: number;
  readonly newId: IdGenerator;
}

export function createSession(
  state: ConsulState,
  body: Decoded,
  scope: Scope,
  options: SessionCreateOptions,
): Session {
  const node = typeof body['Node'] === 'string' && body['Node'] !== '' ? body['Node'] : options.defaultNode;
  const behaviorRaw = typeof body['Behavior'] === 'string' ? body['Behavior'] : '';
  if (behaviorRaw !== '' && behaviorRaw !== 'release' && behaviorRaw !== 'delete') {
    throw rpcError(`Invalid Behavior setting '${behaviorRaw}'`);
  }
  const behavior: SessionBehavior = behaviorRaw === 'delete' ? 'delete' : 'release';
  const ttl = typeof body['TTL'] === 'string' ? body['TTL'] : '';
  let ttlMs = 0;
  if (ttl !== '') {
    const parsed = parseGoDuration(ttl);
    if (parsed === undefined)
      throw rpcError(`Session TTL '${ttl}' invalid: time: invalid duration ${JSON.stringify(ttl)}`);
    ttlMs = parsed;
    if (ttlMs !== 0 && (ttlMs < options.ttlMinMs || ttlMs > MAX_SESSION_TTL_MS)) {
      throw rpcError(
        `Invalid Session TTL '${ttlMs * 1e6}', must be between [${formatGoDuration(options.ttlMinMs)}=${formatGoDuration(MAX_SESSION_TTL_MS)}]`,
      );
    }
  }
  const registered = state.nodes.get(node);
  if (!registered) throw rpcError('Missing node registration');
  const delay = lockDelayMs(body['LockDelay']);
  const nodeChecks = (body['NodeChecks'] as string[] | undefined) ??
    (body['Checks'] as string[] | undefined) ?? ['serfHealth'];
  for (const check of nodeChecks) {
    if (!registered.checks.includes(check)) throw rpcError(`Missing check '${check}' registration`);
  }
  const serviceChecks = Array.isArray(body['ServiceChecks'])
    ? (body['ServiceChecks'] as { ID: string; Namespace?: string }[])
    : [];
  const id = options.newId();
  return state.write(['sessions'], (index) => {
    const session: Session = {
      id,
      name: typeof body['Name'] === 'string' ? body['Name'] : '',
      node,
      lockDelayMs: delay,
      behavior,
      ttl: ttlMs === 0 ? '' : ttl,
      ttlMs,
      nodeChecks,
      serviceChecks,
      createIndex: index,
      modifyIndex: index,
      scope,
    };
    state.sessions.set(id, session);
    return session;
  });
}

export function getSession(state: ConsulState, id: string): Session | undefined {
  return state.sessions.get(id);
}

export function requireSession(state: ConsulState, id: string): Session {
  const session = state.sessions.get(id);
  if (!session) throw notFound(`Session id '${id}' not found`);
  return session;
}

export function listSessions(state: ConsulState, node?: string): Session[] {
  return [...state.sessions.values()]
    .filter((session) => node === undefined || session.node === node)
    .sort((a, b) => a.createIndex - b.createIndex);
}

/** Deletes a session and frees its locks; returns false when it did not exist. */
export function invalidateSession(state: ConsulState, id: string, now: number): boolean {
  const session = state.sessions.get(id);
  if (!session) return false;
  state.write(['sessions', 'kvs'], (index) => {
    state.sessions.delete(id);
    const delayUntil = session.lockDelayMs > 0 ? now + session.lockDelayMs : undefined;
    releaseSessionKeys(state, id, session.behavior, delayUntil, index);
  });
  return true;
}
