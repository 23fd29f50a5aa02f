/**
 * The end of a chaos run, shared by both eras' entries (`npm run chaos`, `npm run chaos:iam`):
 * the report lines after the replicas stopped, in one order, ending with the summary line; and the
 * process's exit on the run's outcome.
 *
 * Invariants: the summary line is the last line printed; the exit code is 1 when any violation was
 * found or the run itself failed (its replay command printed), else 0.
 */
import { type EventStats } from './event-stats.js';
import { type EventPath } from './event-path.js';
import { type Violation } from './invariants.js';
import { type Summary, summaryLine, violationLine } from './report.js';

export interface RunEnd {
  readonly driver: { readonly failures: readonly string[]; readonly outcomes: { readonly failed: number } };
  readonly logLines: number;
  readonly secretIdsChecked: number;
  /** The entry's own lines after the log-scan line (cross-cluster judgements, removals). */
  readonly lines: readonly string[];
  readonly events: EventPath | undefined;
  readonly eventStats: EventStats;
  readonly violations: readonly Violation[];
  readonly replay: string;
  readonly summary: Omit<Summary, 'violations'>;
}

/** Prints the end of the report; returns the run's exit code. */
export function printRunEnd(end: RunEnd): number {
  const { driver, events, violations } = end;
  if (driver.failures.length > 0)
    console.log(`chaos: ${driver.outcomes.failed} ops failed, e.g. ${driver.failures[0]}`);
  console.log(`chaos: ${end.logLines} log lines, ${end.secretIdsChecked} SecretIDs checked against them`);
  for (const line of end.lines) console.log(line);
  if (events) {
    console.log(
      end.eventStats.line(events.counts, events.lossFraction, events.pipeFaults(), events.serviceCounts),
    );
  }
  for (const violation of violations) console.log(violationLine(violation));
  if (violations.length > 0) console.log(`chaos: FAILED; replay: ${end.replay}`);
  console.log(summaryLine({ ...end.summary, violations: violations.length }));
  return violations.length > 0 ? 1 : 0;
}

/** Runs an entry's `run` and exits with its code; a run that throws prints its replay and exits 1. */
export function exitWith(run: Promise<number>, replay: string): void {
  run.then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error((error as Error).stack ?? String(error));
      console.log(`chaos: the run itself failed; replay: ${replay}`);
      process.exit(1);
    },
  );
}
