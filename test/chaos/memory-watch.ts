/**
 * MemoryWatch: the controller replicas' memory over a run, for the leak check.
 *
 * Invariants:
 * - Readings come from /proc (RSS and peak RSS, via the bench harness's proc-stats) per replica
 *   slot, with the pid, so a restarted replica is never mistaken for the same process.
 * - `start` is read when the replicas are ready, `end` when the ops end; `tick` takes one reading
 *   per full minute of ops (the first is kept as the warmed-up reading) and returns its line,
 *   which also gives each replica's V8 heap in use from its /metrics and marks the clusters it leads.
 */
import { peakRssBytes, rssBytes } from '../bench/harness/proc-stats.js';
import { parsePromText } from '../bench/harness/prom-text.js';
import { type Replicas } from './replicas.js';
import { megabytes, type RssReading, rssLine } from './report.js';

export class MemoryWatch {
  private start: RssReading[] = [];
  private warm: RssReading[] = [];
  private end: RssReading[] = [];
  private minutes = 0;

  constructor(private readonly replicas: Replicas) {}

  read(): RssReading[] {
    return this.replicas.pids().map((pid) => ({
      pid,
      rss: pid === undefined ? undefined : rssBytes(pid),
      peak: pid === undefined ? undefined : peakRssBytes(pid),
    }));
  }

  atStart(): void {
    this.start = this.read();
  }

  atEnd(): void {
    this.end = this.read();
  }

  /** After an op, `elapsedMs` into the ops: a minute line when a new minute has begun. */
  async tick(elapsedMs: number): Promise<string | undefined> {
    if (elapsedMs < (this.minutes + 1) * 60_000) return undefined;
    this.minutes += 1;
    if (this.warm.length === 0) this.warm = this.read();
    const parts: string[] = [];
    for (const [i, pid] of this.replicas.pids().entries()) {
      const text = await this.replicas.scrapeMetrics(i);
      const heap = text === undefined ? undefined : parsePromText(text).get('nodejs_heap_size_used_bytes');
      const rss = pid === undefined ? undefined : rssBytes(pid);
      const led = this.replicas.ledBy(i);
      const role = led.length > 0 ? `, leads ${led.join(' ')}` : '';
      parts.push(`replica ${i} pid ${pid ?? '-'} ${megabytes(rss)} (heap ${megabytes(heap)}${role})`);
    }
    return `rss: minute ${this.minutes}: ${parts.join(', ')}`;
  }

  /** One `rss:` line per replica slot: start, after 1 min, end, peak. */
  lines(): string[] {
    const none = { pid: undefined, rss: undefined };
    return this.start.map((start, i) => rssLine(i, start, this.end[i] ?? none, this.warm[i]));
  }
}
