/**
 * Reconciler: the unit of business logic a controller runs for one key.
 *
 * A reconciler is level-based: it is given only a key (for example a service name), reads the
 * current state from informer stores and external APIs, and drives the world towards the desired
 * state. It must be idempotent and must not branch on which event caused the call.
 *
 * Outcomes (controller-runtime's contract):
 * - resolves with nothing: done; the key's backoff is reset;
 * - resolves with `{ requeueAfterMs }`: reconcile again after that delay; the backoff is reset;
 * - rejects with an error: retried with per-key exponential backoff;
 * - rejects with a `TerminalError`: not retried, but logged and counted.
 * The signal aborts when the controller stops past its graceful timeout.
 */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

export interface Reconciler {
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void>;
}

/** An error that retrying cannot fix: the key is dropped, and the error is counted and logged. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

export function isTerminalError(error: unknown): error is TerminalError {
  return error instanceof TerminalError;
}
