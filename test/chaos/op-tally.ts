/**
 * OpTally: how a chaos driver's ops went: applied, skipped (not applicable in the current state),
 * or failed (the op's own calls failed past their retries), with the first 50 failures' messages.
 *
 * Invariant: `apply` never throws; each op counts exactly once.
 */
export type OpOutcome = 'applied' | 'skipped' | 'failed';

export class OpTally {
  readonly outcomes: Record<OpOutcome, number> = { applied: 0, skipped: 0, failed: 0 };
  readonly failures: string[] = [];

  /** Runs one op (`run` answers whether it applied) and counts its outcome. */
  async apply(kind: string, run: () => Promise<boolean>): Promise<OpOutcome> {
    let outcome: OpOutcome;
    try {
      outcome = (await run()) ? 'applied' : 'skipped';
    } catch (error) {
      outcome = 'failed';
      if (this.failures.length < 50) this.failures.push(`${kind}: ${(error as Error).message}`);
    }
    this.outcomes[outcome] += 1;
    return outcome;
  }
}
