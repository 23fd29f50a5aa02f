/**
 * HealthChecks: named checks aggregated into one probe (controller-runtime's `healthz`).
 *
 * Invariants:
 * - A check returns nothing when healthy, or the reason it is not; a check that throws fails
 *   with the thrown message.
 * - The probe passes only if every check not excluded passes. Its report has one line per check,
 *   `[+]name ok` or `[-]name failed: reason`, in the order the checks were added.
 */
export type HealthCheck = () => string | undefined;

export interface ProbeReport {
  readonly healthy: boolean;
  readonly lines: readonly string[];
}

export class HealthChecks {
  private readonly checks = new Map<string, HealthCheck>();

  add(name: string, check: HealthCheck): void {
    if (this.checks.has(name)) throw new Error(`health check "${name}" is already registered`);
    this.checks.set(name, check);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  evaluate(exclude: ReadonlySet<string> = new Set(), only?: string): ProbeReport {
    const lines: string[] = [];
    let healthy = true;
    for (const [name, check] of this.checks) {
      if (exclude.has(name) || (only !== undefined && name !== only)) continue;
      let reason: string | undefined;
      try {
        reason = check();
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      if (reason === undefined) {
        lines.push(`[+]${name} ok`);
      } else {
        healthy = false;
        lines.push(`[-]${name} failed: ${reason}`);
      }
    }
    return { healthy, lines };
  }
}
