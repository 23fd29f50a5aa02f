/**
 * CallLog: counts every call an envtest server receives, by operation.
 *
 * Invariants:
 * - Every request is recorded exactly once, after its outcome is known, faults included.
 * - Records keep no request bodies and no credentials: only the operation, the outcome, the
 *   resource it named (a secret name, a token accessor ID, a cluster) and the caller: for AWS
 *   calls its access key ID (public, as in CloudTrail), for Consul calls the AccessorID of the
 *   request's token (public, as in Consul's audit log), so a log can be shared.
 */
export interface CallRecord {
  readonly operation: string;
  /** HTTP status returned (0 for a connection reset). */
  readonly status: number;
  /** The AWS error code or Consul error class, when the call failed. */
  readonly error?: string;
  /** The resource the call named, if any (never a SecretID). */
  readonly resource?: string;
  /**
   * AWS calls: the access key ID the request was signed with (never the secret key). Consul calls:
   * the AccessorID of the token the request acted as, once a handler resolved it (never the
   * SecretID; absent when the call failed before that, e.g. an injected fault).
   */
  readonly principal?: string;
  /** Milliseconds since the epoch, from the server's clock. */
  readonly at: number;
}

export class CallLog {
  private readonly records: CallRecord[] = [];
  private readonly counts = new Map<string, number>();

  record(call: CallRecord): void {
    this.records.push(call);
    this.counts.set(call.operation, (this.counts.get(call.operation) ?? 0) + 1);
  }

  /** Calls of one operation, or of all operations. */
  count(operation?: string): number {
    if (operation !== undefined) return this.counts.get(operation) ?? 0;
    let total = 0;
    for (const value of this.counts.values()) total += value;
    return total;
  }

  /** Calls per operation, sorted by operation name. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Every record, oldest first. */
  all(): readonly CallRecord[] {
    return this.records;
  }

  reset(): void {
    this.records.length = 0;
    this.counts.clear();
  }
}
