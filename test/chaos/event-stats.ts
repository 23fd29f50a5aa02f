/**
 * EventStats: what became of the run's task events, for the `chaos: events:` report line: the
 * EventPath's counts (published, delivered, lost, forged), the event pipe's own faults, and what
 * the replicas' consumers did with what they received (from their /metrics pages).
 *
 * Invariants:
 * - A process's counters are the last /metrics page read from it (before its kill, every minute,
 *   at the end): `ecs_task_events_total{result}` and `ecs_task_events_ignored_total{reason}`.
 *   Each process (slot and generation) counts once, so the sums cover every process the run
 *   started, up to its last read (events a killed process handled after that read are missed).
 * - The line never names a task, a token or a SecretID: counts only.
 */
import { type EventPathCounts } from './event-path.js';

type Counters = Map<string, number>;

const SERIES =
  /^(ecs_task_events_total\{result|ecs_task_events_ignored_total\{reason)="([^"]+)"\} (\d+(?:\.\d+)?)$/gm;

/** The consumer counters of one /metrics page: `result=applied`, `reason=other_cluster`, … */
export function consumerCounters(text: string): Counters {
  const counters: Counters = new Map();
  for (const match of text.matchAll(SERIES)) {
    const label = match[1].endsWith('result') ? 'result' : 'reason';
    counters.set(`${label}=${match[2]}`, Number(match[3]));
  }
  return counters;
}

export class EventStats {
  private readonly byProcess = new Map<string, Counters>();

  /** A /metrics page read from slot `slot`, generation `generation`. */
  read(slot: number, generation: number, text: string): void {
    const counters = consumerCounters(text);
    if (counters.size > 0) this.byProcess.set(`${slot}#${generation}`, counters);
  }

  /** The sum over every process of counter `key` (`result=applied`, `reason=other_account_or_region`…). */
  total(key: string): number {
    let sum = 0;
    for (const counters of this.byProcess.values()) sum += counters.get(key) ?? 0;
    return sum;
  }

  /** `services`: the service deployment events' counts, when the run delivers them. */
  line(path: EventPathCounts, lossFraction: number, pipeFaults: number, services?: EventPathCounts): string {
    const ignored = ['other_account_or_region', 'other_cluster', 'cluster_unverified', 'other_detail_type']
      .map((reason) => `${reason} ${this.total(`reason=${reason}`)}`)
      .join(', ');
    return (
      `chaos: events: ${path.published} published, ${path.delivered} delivered, ` +
      `${path.lost} lost (${(lossFraction * 100).toFixed(1)}% base, ${path.lostInWindows} in loss windows), ` +
      `${pipeFaults} duplicated, reordered or delayed, ${path.forged} forged, ${path.unrouted} of unserved clusters; ` +
      `consumers: ${this.total('result=applied')} applied, ${this.total('result=stale')} stale, ` +
      `${this.total('result=ignored')} ignored (${ignored})` +
      (services === undefined
        ? ''
        : `; service events: ${services.published} published, ${services.delivered} delivered, ${services.lost} lost`)
    );
  }
}
