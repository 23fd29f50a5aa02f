/**
 * DelayHeap: the keys waiting for a delayed add, ordered by when they become ready.
 *
 * Invariants:
 * - A key waits at most once; setting it again keeps the earlier ready time ("earliest wins").
 * - `popReady(now)` returns the keys due at or before `now`, earliest first, and forgets them.
 * - Stale heap entries (a key moved earlier, or removed) are skipped lazily, never returned.
 */
interface Entry {
  readonly key: string;
  readonly readyAt: number;
  readonly seq: number;
}

export class DelayHeap {
  private readonly heap: Entry[] = [];
  private readonly readyAtByKey = new Map<string, number>();
  private seq = 0;

  get size(): number {
    return this.readyAtByKey.size;
  }

  keys(): string[] {
    return [...this.readyAtByKey.keys()];
  }

  has(key: string): boolean {
    return this.readyAtByKey.has(key);
  }

  /** Schedules `key` at `readyAt` unless it already waits for an earlier time. Returns true if changed. */
  setEarliest(key: string, readyAt: number): boolean {
    const current = this.readyAtByKey.get(key);
    if (current !== undefined && current <= readyAt) return false;
    this.readyAtByKey.set(key, readyAt);
    this.push({ key, readyAt, seq: this.seq++ });
    return true;
  }

  remove(key: string): boolean {
    return this.readyAtByKey.delete(key);
  }

  clear(): void {
    this.heap.length = 0;
    this.readyAtByKey.clear();
  }

  /** When the earliest waiting key becomes ready, if any. */
  nextReadyAt(): number | undefined {
    this.dropStale();
    return this.heap[0]?.readyAt;
  }

  popReady(now: number): string[] {
    const ready: string[] = [];
    for (this.dropStale(); this.heap.length > 0 && this.heap[0].readyAt <= now; this.dropStale()) {
      const entry = this.pop();
      this.readyAtByKey.delete(entry.key);
      ready.push(entry.key);
    }
    return ready;
  }

  private dropStale(): void {
    while (this.heap.length > 0 && this.readyAtByKey.get(this.heap[0].key) !== this.heap[0].readyAt)
      this.pop();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && this.less(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && this.less(heap[right], heap[smallest])) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  }
}
