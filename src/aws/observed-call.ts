/**
 * observedCall: runs one AWS SDK call and reports it to the API observer as
 * `<service>/<operation>/<code>`.
 *
 * Invariants:
 * - `code` is "200" on success. On failure it is the AWS error name when it is one of the names
 *   the controller knows (ThrottlingException…, our InvalidResponse, the SDK's TimeoutError),
 *   "network" when no answer came (refused, reset, unreachable), otherwise the HTTP status of the
 *   answer, and "other" when there was none. An error name a server made up is never reported.
 */
import { AWS_ERROR_NAMES } from '../metrics/api-code.js';
import { type ApiCallObserver } from '../metrics/api-metrics.js';
import { type Clock } from '../time/clock.js';

const KNOWN_NAMES: ReadonlySet<string> = new Set([
  ...AWS_ERROR_NAMES,
  'InvalidResponse',
  'TimeoutError',
  'AbortError',
]);

/** Node's codes for a connection that gave no answer. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export async function observedCall<T>(
  observer: ApiCallObserver,
  clock: Clock,
  service: string,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  const started = clock.now();
  try {
    const result = await call();
    observer.called(service, operation, '200', (clock.now() - started) / 1000);
    return result;
  } catch (error) {
    observer.called(service, operation, awsErrorCode(error), (clock.now() - started) / 1000);
    throw error;
  }
}

export function awsErrorCode(error: unknown): string {
  if (!(error instanceof Error)) return 'other';
  if (KNOWN_NAMES.has(error.name)) return error.name;
  const { code, $metadata } = error as { code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'network';
  const status = $metadata?.httpStatusCode;
  return typeof status === 'number' && Number.isInteger(status) ? String(status) : 'other';
}
