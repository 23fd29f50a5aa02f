/**
 * The chaos run's report lines.
 *
 * Invariants:
 * - The last line a run prints is `summaryLine(...)`:
 *   `chaos: N ops, F faults, K kills, L events lost, V violations, converged in S s` (S with one
 *   decimal), or `… converged in never s` when the state did not converge before the deadline. L
 *   is 0 without events mode.
 * - RSS lines give each replica slot's reading at the start (replicas ready) and the end of the
 *   ops (before the faults stop), with the pid, so a restarted process is visible as such.
 * - Violations are printed one a line, `violation [kind] message`; messages name AccessorIDs,
 *   never SecretIDs.
 */
import { type Violation } from './invariants.js';

export interface Summary {
  readonly ops: number;
  readonly faults: number;
  readonly kills: number;
  /** Task events lost on their way to the queues (0 without events mode). */
  readonly eventsLost: number;
  readonly violations: number;
  /** Seconds from the faults stopping to convergence; undefined if it never came. */
  readonly convergedS: number | undefined;
}

export function summaryLine(summary: Summary): string {
  const converged = summary.convergedS === undefined ? 'never' : summary.convergedS.toFixed(1);
  return (
    `chaos: ${summary.ops} ops, ${summary.faults} faults, ${summary.kills} kills, ` +
    `${summary.eventsLost} events lost, ${summary.violations} violations, converged in ${converged} s`
  );
}

export function violationLine(violation: Violation): string {
  return `violation [${violation.kind}] ${violation.message}`;
}

export function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${(bytes / 1_048_576).toFixed(1)} MB`;
}

export interface RssReading {
  readonly pid: number | undefined;
  readonly rss: number | undefined;
  /** Peak RSS (VmHWM) of the process so far. */
  readonly peak?: number | undefined;
}

/** `rss: replica i pid P: start A, after 1 min B, end C (peak D)`; the 1-min reading is optional. */
export function rssLine(slot: number, start: RssReading, end: RssReading, warm?: RssReading): string {
  const same = start.pid !== undefined && start.pid === end.pid;
  const pids = same ? `pid ${start.pid}` : `pid ${start.pid ?? '-'} → ${end.pid ?? '-'} (restarted)`;
  const middle = warm && warm.pid === end.pid ? `, after 1 min ${megabytes(warm.rss)}` : '';
  const peak = end.peak === undefined ? '' : ` (peak ${megabytes(end.peak)})`;
  return `rss: replica ${slot} ${pids}: start ${megabytes(start.rss)}${middle}, end ${megabytes(end.rss)}${peak}`;
}
