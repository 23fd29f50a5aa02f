/**
 * FaultSchedule: the chaos run's faults on the three APIs (ECS, Secrets Manager, Consul).
 *
 * Invariants:
 * - While on, every call to a server draws one fault with probability `fraction` (default 10%),
 *   split evenly between throttling, server errors (5xx), latency and connection resets. The four
 *   rules match every operation (`*`); the FaultInjector applies the first that fires.
 * - A server added while the schedule is on (a restarted Consul) gets the same rules at once.
 * - `injected()` counts faults actually injected, over every server ever added, including servers
 *   since closed, so F never goes down.
 */
import { type FaultInjector, type FaultKind } from '../../envtest/faults.js';

const KINDS: readonly FaultKind[] = ['throttle', 'server-error', 'latency', 'reset'];

export class FaultSchedule {
  private readonly injectors: FaultInjector[] = [];
  private readonly disposers = new Map<FaultInjector, Array<() => void>>();
  private on = false;

  constructor(
    private readonly fraction = 0.1,
    private readonly latencyMs = 300,
  ) {}

  get active(): boolean {
    return this.on;
  }

  add(injector: FaultInjector): void {
    this.injectors.push(injector);
    if (this.on) this.arm(injector);
  }

  start(): void {
    if (this.on) return;
    this.on = true;
    for (const injector of this.injectors) this.arm(injector);
  }

  stop(): void {
    this.on = false;
    for (const disposers of this.disposers.values()) for (const dispose of disposers) dispose();
    this.disposers.clear();
  }

  injected(): number {
    return this.injectors.reduce((sum, injector) => sum + injector.injectedCount, 0);
  }

  private arm(injector: FaultInjector): void {
    const share = this.fraction / KINDS.length;
    // The injector tries rules in order and each draws on its own, so rule i must fire with
    // share / (1 - i·share) of the calls the earlier rules let through for each kind to get `share`.
    const disposers = KINDS.map((kind, i) =>
      injector.add({
        operation: '*',
        kind,
        fraction: share / (1 - i * share),
        ...(kind === 'latency' ? { latencyMs: this.latencyMs } : {}),
      }),
    );
    this.disposers.set(injector, disposers);
  }
}
