/** Errors the manager raises, each with the process exit code the CLI maps it to. */
export class ManagerError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ManagerError';
  }
}

/** Process exit codes, documented in the README. */
export const EXIT_CODES = {
  ok: 0,
  fatal: 1,
  usage: 2,
  cacheSyncTimeout: 3,
  shutdownTimeout: 4,
} as const;
