/**
 * loggingInformerObserver: logs informer failures (warn) and syncs that changed something (debug).
 * It never logs objects themselves, only counts, so no cached credential can reach a log line.
 */
import { type Logger } from '../log/logger.js';
import { type InformerObserver } from './informer-observer.js';

export function loggingInformerObserver(logger: Logger): InformerObserver {
  return {
    synced: (informer, via, events) => {
      if (events.length > 0)
        logger.debug('informer applied changes', { informer, via, events: events.length });
    },
    failed: (informer, error, attempt, retryInMs) =>
      logger.warn('informer list/watch failed; retrying', {
        informer,
        error,
        attempt,
        retryInMs: Math.round(retryInMs),
      }),
  };
}
