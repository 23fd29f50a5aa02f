/**
 * Interner: hands out one shared instance of equal immutable values, so the tens of thousands of
 * cached items that repeat a value (a task definition's ARN, an ECS service name, a service
 * reference) hold one copy between them instead of one each: the AWS SDK parses every answer into
 * fresh strings and objects.
 *
 * Invariants:
 * - `intern(key, value)` returns the instance first interned under `key`, else `value` (now
 *   interned). Values must be immutable and equal whenever their keys are.
 * - Bounded: past `maxEntries` keys it starts over. Items built before keep their copies; nothing
 *   depends on sharing for correctness, only memory.
 */
export class Interner<T> {
  private readonly values = new Map<string, T>();

  constructor(private readonly maxEntries = 50_000) {}

  intern(key: string, value: T): T {
    const shared = this.values.get(key);
    if (shared !== undefined) return shared;
    if (this.values.size >= this.maxEntries) this.values.clear();
    this.values.set(key, value);
    return value;
  }

  get size(): number {
    return this.values.size;
  }
}

/** An Interner of strings, each its own key. */
export class StringInterner {
  private readonly interner: Interner<string>;

  constructor(maxEntries?: number) {
    this.interner = new Interner<string>(maxEntries);
  }

  intern(value: string): string {
    return this.interner.intern(value, value);
  }
}
