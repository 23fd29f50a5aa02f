/**
 * observedCall: runs one AWS SDK call and reports it to the API observer as
 * `<service>/<operation>/<code>`, where code is "200" or the AWS error name (ThrottlingException…).
 */
import { type ApiCallObserver } from '../metrics/api-metrics.js';
import { type Clock } from '../time/clock.js';

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
    const code = error instanceof Error ? error.name : 'unknown';
    observer.called(service, operation, code, (clock.now() - started) / 1000);
    throw error;
  }
}
