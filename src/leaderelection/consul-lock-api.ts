/**
 * ConsulLockApi: the six Consul calls a session lock needs (session create/renew/destroy, KV
 * acquire/release/read), over the shared ConsulTransport.
 *
 * Invariants:
 * - Operation names (metrics, logs) are `session.create`, `session.renew`, `session.destroy`,
 *   `kv.acquire`, `kv.release` and `kv.get`, as in the Consul envtest.
 * - Sessions are created with no health checks (`NodeChecks: []` and the pre-1.7 alias
 *   `Checks: []`, which Consul 1.14 reads the same way): only the TTL keeps them alive.
 * - `renewSession` resolves false when Consul no longer knows the session (404 "Session id … not
 *   found", or an empty answer); every other failure rejects.
 * - `acquire` resolves Consul's boolean; a 500 "invalid session" (the session is gone) rejects
 *   with SessionGoneError, so callers can tell it from an outage.
 * - `readLock` reports a missing key as `entry: undefined` (Consul answers 404), never as an error.
 * - Key paths are URL-encoded segment by segment; the token only travels in the transport's header.
 */
import { ConsulError, isConsulNotFound } from '../consul/consul-error.js';
import { type ConsulRequest, type ConsulResponse } from '../consul/consul-transport.js';
import { goDuration } from '../time/go-duration.js';

/** What the lock needs from ConsulTransport (structural, so tests may wrap it). */
export interface ConsulCaller {
  send(req: ConsulRequest): Promise<ConsulResponse>;
}

export interface SessionSpec {
  readonly name: string;
  readonly ttlMs: number;
  readonly lockDelayMs: number;
}

export interface LockEntry {
  /** The session holding the lock, if any. */
  readonly session?: string;
  readonly lockIndex: number;
  /** The value as UTF-8 text (the holder record as JSON; empty after a release). */
  readonly value?: string;
}

export interface LockRead {
  readonly entry?: LockEntry;
  /** X-Consul-Index, for the next blocking read. */
  readonly index?: string;
}

/** The session named in an acquire no longer exists. */
export class SessionGoneError extends Error {
  constructor(readonly sessionId: string) {
    super(`consul session ${sessionId} no longer exists`);
    this.name = 'SessionGoneError';
  }
}

interface KvJson {
  readonly Session?: string;
  readonly LockIndex?: number;
  readonly Value?: string | null;
}

export function kvPath(key: string): string {
  return `/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export class ConsulLockApi {
  constructor(private readonly transport: ConsulCaller) {}

  async createSession(spec: SessionSpec, signal?: AbortSignal): Promise<string> {
    const response = await this.transport.send({
      operation: 'session.create',
      method: 'PUT',
      path: '/v1/session/create',
      body: {
        Name: spec.name,
        TTL: goDuration(spec.ttlMs),
        LockDelay: goDuration(spec.lockDelayMs),
        Behavior: 'release',
        NodeChecks: [],
        Checks: [],
      },
      signal,
    });
    const id = parse<{ ID?: unknown }>('session.create', response).ID;
    if (typeof id !== 'string' || id === '') {
      throw new ConsulError('session.create', response.status, 'answer has no session ID');
    }
    return id;
  }

  /** True while the session lives; false once Consul has forgotten it. */
  async renewSession(id: string, signal?: AbortSignal): Promise<boolean> {
    try {
      const response = await this.transport.send({
        operation: 'session.renew',
        method: 'PUT',
        path: `/v1/session/renew/${encodeURIComponent(id)}`,
        signal,
      });
      const sessions = parse<unknown>('session.renew', response);
      return Array.isArray(sessions) && sessions.length > 0;
    } catch (error) {
      if (isConsulNotFound(error)) return false;
      throw error;
    }
  }

  async destroySession(id: string, signal?: AbortSignal): Promise<void> {
    await this.transport.send({
      operation: 'session.destroy',
      method: 'PUT',
      path: `/v1/session/destroy/${encodeURIComponent(id)}`,
      signal,
    });
  }

  /** Tries to take the lock; `record` becomes the key's value (JSON). */
  async acquire(key: string, session: string, record: object, signal?: AbortSignal): Promise<boolean> {
    return this.lockCall('kv.acquire', key, { acquire: session }, session, record, signal);
  }

  async release(key: string, session: string, signal?: AbortSignal): Promise<boolean> {
    return this.lockCall('kv.release', key, { release: session }, session, undefined, signal);
  }

  /** Reads the lock key; with `index`, a blocking query of at most `waitMs`. */
  async readLock(
    key: string,
    options: { index?: string; waitMs?: number; signal?: AbortSignal } = {},
  ): Promise<LockRead> {
    const blocking = options.index !== undefined;
    let response: ConsulResponse;
    try {
      response = await this.transport.send({
        operation: 'kv.get',
        method: 'GET',
        path: kvPath(key),
        query: blocking ? { index: options.index, wait: goDuration(options.waitMs ?? 60_000) } : {},
        waitMs: blocking ? options.waitMs : undefined,
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof ConsulError && error.status === 404) return {};
      throw error;
    }
    const entries = parse<KvJson[] | null>('kv.get', response);
    const raw = Array.isArray(entries) ? entries[0] : undefined;
    if (!raw) return { index: response.index };
    return {
      index: response.index,
      entry: {
        ...(raw.Session ? { session: raw.Session } : {}),
        lockIndex: raw.LockIndex ?? 0,
        ...(typeof raw.Value === 'string'
          ? { value: Buffer.from(raw.Value, 'base64').toString('utf8') }
          : {}),
      },
    };
  }

  private async lockCall(
    operation: string,
    key: string,
    query: Record<string, string>,
    session: string,
    record: object | undefined,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    try {
      const response = await this.transport.send({
        operation,
        method: 'PUT',
        path: kvPath(key),
        query,
        body: record,
        signal,
      });
      return parse<unknown>(operation, response) === true;
    } catch (error) {
      if (error instanceof ConsulError && error.status === 500 && /invalid session/i.test(error.body)) {
        throw new SessionGoneError(session);
      }
      throw error;
    }
  }
}

function parse<T>(operation: string, response: ConsulResponse): T {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new ConsulError(operation, response.status, 'response is not valid JSON');
  }
}
