/**
 * runUntilSignal: starts the manager and runs it until SIGTERM or SIGINT, then stops it.
 * Resolves with the exit code: 0 after a graceful stop, 4 when shutdown timed out; rejects when
 * the manager fails to start (unless a signal came first). Unhandled rejections are logged.
 */
import { type Logger } from '../../src/log/logger.js';
import { EXIT_CODES } from '../../src/manager/errors.js';
import { type Manager } from '../../src/manager/manager.js';

export function runUntilSignal(manager: Manager, logger: Logger): Promise<number> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('signal received; shutting down', { signal });
      manager.stop().then(
        ({ graceful }) => resolve(graceful ? EXIT_CODES.ok : EXIT_CODES.shutdownTimeout),
        (error: unknown) => reject(error),
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('unhandledRejection', (reason) =>
      logger.error('unhandled promise rejection', { error: reason }),
    );
    manager.start().catch((error: unknown) => {
      if (!stopping) reject(error);
    });
  });
}
