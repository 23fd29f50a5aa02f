/**
 * Blocking queries: `?index=N&wait=D` holds a read until the data it covers moves past N, or the wait
 * ends, and then answers with the current data (Consul's `blockingQuery`).
 *
 * Invariants:
 * - Without `index` (or with index 0) the query answers at once.
 * - `wait` defaults to 5 minutes and is capped at 10 minutes; it runs on the injected Clock only.
 * - The query re-runs after every state write and returns as soon as its result index exceeds N; an
 *   aborted request (client gone, server closing) stops waiting and returns the current data.
 * - Consul adds up to wait/16 of random jitter; this emulator does not (deterministic tests).
 */
import { type Clock } from '../../src/time/clock.js';
import { parseGoDuration } from '../../src/time/go-duration.js';
import { badRequest } from './errors.js';
import { type ConsulState } from './state.js';

export const DEFAULT_WAIT_MS = 5 * 60_000;
export const MAX_WAIT_MS = 10 * 60_000;

export interface BlockingParams {
  readonly minIndex: number;
  readonly waitMs: number;
}

export interface QueryResult<T> {
  /** The index reported in X-Consul-Index. */
  readonly index: number;
  /** The index of the data this query watches, when narrower than `index` (a KV key, a prefix). */
  readonly watchIndex?: number;
  readonly value: T;
}

/** Parses `index` and `wait` as Consul's parseWait does. */
export function parseBlockingParams(query: URLSearchParams): BlockingParams {
  let waitMs = DEFAULT_WAIT_MS;
  const wait = query.get('wait');
  if (wait !== null && wait !== '') {
    const parsed = parseGoDuration(wait);
    if (parsed === undefined || parsed < 0) throw badRequest('Invalid wait time');
    waitMs = Math.min(parsed, MAX_WAIT_MS);
  }
  let minIndex = 0;
  const index = query.get('index');
  if (index !== null && index !== '') {
    if (!/^\d+$/.test(index)) throw badRequest('Invalid index');
    minIndex = Number(index);
  }
  return { minIndex, waitMs };
}

export async function blockingQuery<T>(
  state: ConsulState,
  clock: Clock,
  params: BlockingParams,
  signal: AbortSignal,
  run: () => QueryResult<T>,
): Promise<QueryResult<T>> {
  const first = run();
  if (params.minIndex === 0 || first.index > params.minIndex || signal.aborted) return first;
  return new Promise<QueryResult<T>>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      cancelTimer();
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      action();
    };
    const answerNow = () => {
      try {
        const result = run();
        finish(() => resolve(result));
      } catch (error) {
        finish(() => reject(error));
      }
    };
    const onAbort = () => answerNow();
    const cancelTimer = clock.setTimer(params.waitMs, answerNow);
    const unsubscribe = state.onChange(() => {
      try {
        const result = run();
        if ((result.watchIndex ?? result.index) > params.minIndex) finish(() => resolve(result));
      } catch (error) {
        finish(() => reject(error));
      }
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
