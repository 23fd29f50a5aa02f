/**
 * The request shapes every typed Consul API here shares: scope and blocking-query parameters,
 * answers checked before use, and reads where a missing object reads as undefined.
 *
 * Invariants:
 * - Partition and namespace go out as `partition`/`ns` only when set (an OSS server never sees them).
 * - A blocking read sends `index` and `wait` (whole seconds, at least 1) and lets the transport wait
 *   that long; without an index it is a plain read.
 * - `checkedJson` rejects an answer `problem` objects to with a ConsulError ("unexpected response:
 *   …"), so garbage never passes for "missing" or "empty".
 * - `readOrUndefined` turns a not-found answer (404, or 403 "ACL not found") and a `null` body into
 *   undefined; every other failure rejects.
 */
import { ConsulError, isConsulNotFound } from './consul-error.js';
import { type ConsulRequest, type ConsulTransport, type Query } from './consul-transport.js';
import { type AclScope } from './acl-types.js';

export interface BlockingOptions {
  /** Wait for a change after this index. */
  readonly index?: string;
  readonly waitMs?: number;
  readonly signal?: AbortSignal;
}

export type Problem = (value: unknown) => string | undefined;

const DEFAULT_WAIT_MS = 300_000;

export function scopeQuery(scope: AclScope): Query {
  return { partition: scope.partition, ns: scope.namespace };
}

/** The query and transport wait of a (possibly blocking) read of `scope`. */
export function blockingRead(
  scope: AclScope,
  blocking: BlockingOptions,
): Pick<ConsulRequest, 'query' | 'waitMs' | 'signal'> {
  const query: Record<string, string | undefined> = { ...scopeQuery(scope) };
  if (blocking.index === undefined) return { query, signal: blocking.signal };
  const waitMs = blocking.waitMs ?? DEFAULT_WAIT_MS;
  query.index = blocking.index;
  query.wait = `${Math.max(1, Math.round(waitMs / 1000))}s`;
  return { query, waitMs, signal: blocking.signal };
}

/** Sends `req`, parses the JSON answer and rejects it unless `problem` finds nothing wrong. */
export async function checkedJson<T>(
  transport: ConsulTransport,
  problem: Problem,
  req: ConsulRequest,
): Promise<{ value: T; index?: string }> {
  const { value, index } = await transport.json<unknown>(req);
  const reason = problem(value);
  if (reason !== undefined) throw new ConsulError(req.operation, 200, `unexpected response: ${reason}`);
  return { value: value as T, index };
}

/** A checked read; missing (not found, or `null`) reads as undefined. */
export async function readOrUndefined<T>(
  transport: ConsulTransport,
  problem: Problem,
  req: ConsulRequest,
): Promise<T | undefined> {
  try {
    const { value } = await checkedJson<T | null>(
      transport,
      (v) => (v === null ? undefined : problem(v)),
      req,
    );
    return value ?? undefined;
  } catch (error) {
    if (isConsulNotFound(error)) return undefined;
    throw error;
  }
}
