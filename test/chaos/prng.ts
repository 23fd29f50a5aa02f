/**
 * Prng: the chaos run's only source of randomness for choosing operations (mulberry32).
 *
 * Invariants:
 * - The same seed gives the same sequence of draws, on every machine and Node version (32-bit
 *   integer arithmetic only; no Math.random).
 * - `next()` is in [0, 1); `int(n)` is in [0, n); `pick` and `weighted` draw exactly one value each.
 */
export type Random = () => number;

/** mulberry32: a tiny, fast, well-mixed 32-bit generator. */
export function mulberry32(seed: number): Random {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class Prng {
  private readonly random: Random;

  constructor(readonly seed: number) {
    this.random = mulberry32(seed);
  }

  next(): number {
    return this.random();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)];
  }

  /** One key of `weights`, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let draw = this.random() * total;
    for (const [key, weight] of entries) {
      draw -= weight;
      if (draw < 0) return key;
    }
    return entries[entries.length - 1][0];
  }
}
