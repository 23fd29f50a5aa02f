/**
 * awaitConvergence: after the faults stop, polls the state invariants until they all hold or the
 * deadline passes.
 *
 * Invariants:
 * - `sample()` runs before every check, so the check sees the current envtest state.
 * - Converged: S is the time from the call (the faults stopping) to the first check with no
 *   violation, and `lastCleared` names the kinds of the last violations to clear (so a run can
 *   tell convergence held up by the GC grace period from the rest). Not converged: every
 *   violation of the last check is returned, each marked with the deadline, and S is undefined.
 */
import { type Violation } from './invariants.js';
import { sleep } from './retrying.js';

export interface Convergence {
  readonly seconds: number | undefined;
  readonly violations: Violation[];
  /** The distinct kinds of the last failing check before convergence; empty if the first check passed. */
  readonly lastCleared: readonly string[];
}

export async function awaitConvergence(
  sample: () => void,
  check: () => Violation[],
  deadlineMs: number,
  pollMs = 100,
): Promise<Convergence> {
  const started = performance.now();
  let lastCleared: string[] = [];
  for (;;) {
    sample();
    const violations = check();
    const elapsed = performance.now() - started;
    if (violations.length === 0) return { seconds: elapsed / 1000, violations: [], lastCleared };
    lastCleared = [...new Set(violations.map((v) => v.kind))].sort();
    if (elapsed > deadlineMs) {
      const note = `(not converged ${(deadlineMs / 1000).toFixed(1)} s after the faults stopped)`;
      return {
        seconds: undefined,
        violations: violations.map((v) => ({ ...v, message: `${v.message} ${note}` })),
        lastCleared,
      };
    }
    await sleep(pollMs);
  }
}
