/**
 * Faults: per-operation fault injection shared by every envtest server.
 *
 * Invariants:
 * - A rule matches an operation by exact name or by `*`, and, when it names a `resource`, only
 *   calls naming exactly that resource (the call log's resource: a secret name or ARN, a cluster,
 *   a token accessor ID…). The first matching rule that still has budget wins, in the order the
 *   rules were added.
 * - A rule with `count` fires exactly that many times and then retires; a rule with `fraction`
 *   fires for that share of matching calls, drawn from the injected random source.
 * - Rules are removed by the disposer `add()` returns, or all at once by `clear()`.
 * - Deciding has no side effect other than consuming a rule's budget and counting the fault (and
 *   drawing from the random source for a fraction or a latency range).
 * - The kinds are a type parameter: servers use `FaultKind`; the ECS event pipe uses its own
 *   (`EventFaultKind`: duplicate, reorder, delay) with the same rules.
 */
import { type Random } from '../src/time/clock.js';

/** What a server does instead of (or before) answering normally. */
export type FaultKind = 'throttle' | 'server-error' | 'latency' | 'reset';

export interface FaultRule<K extends string = FaultKind> {
  /** The operation name (`ListTasks`, `GetSecretValue`, `acl.token.create`…), or `*` for all. */
  readonly operation: string;
  readonly kind: K;
  /** Fire for the next `count` matching calls. */
  readonly count?: number;
  /** Fire for this fraction (0..1) of matching calls. Ignored when `count` is set. */
  readonly fraction?: number;
  /** For `latency` (and event `delay`): the delay added before the normal answer. */
  readonly latencyMs?: number;
  /** With `latencyMs`: the delay is drawn uniformly from [latencyMs, latencyMaxMs] on each call. */
  readonly latencyMaxMs?: number;
  /** Only calls naming this resource (as the call log records it); absent: any call. */
  readonly resource?: string;
}

export interface Fault<K extends string = FaultKind> {
  readonly kind: K;
  readonly latencyMs: number;
}

interface ActiveRule<K extends string> {
  readonly rule: FaultRule<K>;
  remaining: number;
}

export class FaultInjector<K extends string = FaultKind> {
  private readonly rules: ActiveRule<K>[] = [];
  private injected = 0;

  constructor(private readonly random: Random = Math.random) {}

  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule<K>): () => void {
    if (rule.count === undefined && rule.fraction === undefined) {
      throw new Error(`fault rule for ${rule.operation} needs a count or a fraction`);
    }
    const active: ActiveRule<K> = { rule, remaining: rule.count ?? Number.POSITIVE_INFINITY };
    this.rules.push(active);
    return () => {
      const index = this.rules.indexOf(active);
      if (index >= 0) this.rules.splice(index, 1);
    };
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** Total faults injected so far. */
  get injectedCount(): number {
    return this.injected;
  }

  /** The fault to apply to one call of `operation` (naming `resource`, if known), if any. */
  decide(operation: string, resource?: string): Fault<K> | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.operation !== '*' && rule.operation !== operation) continue;
      if (rule.resource !== undefined && rule.resource !== resource) continue;
      if (active.remaining <= 0) continue;
      if (rule.count === undefined && this.random() >= (rule.fraction ?? 0)) continue;
      active.remaining -= 1;
      this.injected += 1;
      const least = rule.latencyMs ?? 0;
      const spread = Math.max(0, (rule.latencyMaxMs ?? least) - least);
      return { kind: rule.kind, latencyMs: spread > 0 ? least + this.random() * spread : least };
    }
    return undefined;
  }
}
