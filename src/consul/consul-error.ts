/**
 * ConsulError: a failed Consul HTTP call, classified the way the controller needs.
 *
 * Invariants:
 * - Both not-found flavours are not-found: 404 (Consul ≥ 1.15) and 403 whose body says
 *   "ACL not found" (Consul ≤ 1.14). A 403 "Permission denied" is not.
 * - The message names the operation and the status, and quotes at most 200 characters of the
 *   body; request tokens are never part of it.
 */
export class ConsulError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`consul ${operation}: HTTP ${status}${body ? `: ${body.trim().slice(0, 200)}` : ''}`);
    this.name = 'ConsulError';
  }

  get isNotFound(): boolean {
    return this.status === 404 || (this.status === 403 && /ACL not found/i.test(this.body));
  }

  get isPermissionDenied(): boolean {
    return this.status === 403 && /Permission denied/i.test(this.body);
  }

  /** Worth retrying: throttled or the server is (temporarily) unable to answer. */
  get isRetryable(): boolean {
    return this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

/** A connection-level failure: nothing was answered (refused, reset, timed out). */
export class ConsulUnreachableError extends Error {
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`consul ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ConsulUnreachableError';
  }
}

export function isConsulNotFound(error: unknown): boolean {
  return error instanceof ConsulError && error.isNotFound;
}
