/**
 * Store: a keyed cache with named secondary indexes (client-go's Indexer).
 *
 * Invariants:
 * - Every object is stored under exactly one key, given by `keyOf`.
 * - After any write, `byIndex(name, value)` returns exactly the stored objects whose index
 *   function yields `value` (an index function may yield several values, or none).
 * - Reads return the stored objects themselves: callers must not mutate them.
 */
export type IndexFunc<T> = (obj: T) => readonly string[];

export class Store<T> {
  private readonly items = new Map<string, T>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(
    readonly keyOf: (obj: T) => string,
    private readonly indexers: Readonly<Record<string, IndexFunc<T>>> = {},
  ) {
    for (const name of Object.keys(indexers)) this.indices.set(name, new Map());
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  list(): T[] {
    return [...this.items.values()];
  }

  /** Objects whose index `indexName` yields `value`. */
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((key) => this.items.get(key) as T);
  }

  /** Keys of the objects whose index `indexName` yields `value`. */
  indexKeys(indexName: string, value: string): string[] {
    return [...(this.index(indexName).get(value) ?? [])];
  }

  /** Every value index `indexName` currently holds. */
  indexValues(indexName: string): string[] {
    return [...this.index(indexName).keys()];
  }

  /** Inserts or replaces an object; returns the one it replaced. */
  upsert(obj: T): T | undefined {
    const key = this.keyOf(obj);
    const old = this.items.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.items.set(key, obj);
    this.reindex(key, obj);
    return old;
  }

  /** Removes the object under `key`; returns it. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  private index(indexName: string): Map<string, Set<string>> {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`store has no index named "${indexName}"`);
    return index;
  }

  private reindex(key: string, obj: T): void {
    for (const [name, indexFunc] of Object.entries(this.indexers)) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const value of indexFunc(obj)) {
        let keys = index.get(value);
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, indexFunc] of Object.entries(this.indexers)) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const value of indexFunc(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
