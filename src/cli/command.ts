/** A CLI subcommand: a name, a one-line summary, and a run function returning the exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  run(args: readonly string[]): Promise<number>;
}

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
