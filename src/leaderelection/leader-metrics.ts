/**
 * Leader election metrics, with controller-runtime's gauge name:
 * `leader_election_master_status{name}` (1 = leader, 0 = standby), plus
 * `leader_election_acquisitions_total{name}` and `leader_election_losses_total{name}`.
 *
 * Invariants:
 * - The three series of a lock exist (at 0) from the moment its elector is built.
 * - The metric objects are shared per registry: several electors may use one registry, each with
 *   its own `name` label; a name is the only label (bounded, never a session ID or identity).
 * - A loss is counted only when leadership ends involuntarily; a voluntary `stop()` sets the gauge
 *   to 0 without counting a loss.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface LeaderObserver {
  leading(isLeader: boolean): void;
  acquired(): void;
  lost(): void;
}

const STATUS = 'leader_election_master_status';
const ACQUISITIONS = 'leader_election_acquisitions_total';
const LOSSES = 'leader_election_losses_total';

export const NO_LEADER_OBSERVER: LeaderObserver = {
  leading: () => undefined,
  acquired: () => undefined,
  lost: () => undefined,
};

/** The observer that reports lock `name` on `registry`. */
export function leaderElectionMetrics(registry: Registry, name: string): LeaderObserver {
  const status =
    (registry.getSingleMetric(STATUS) as Gauge<'name'> | undefined) ??
    new Gauge({
      name: STATUS,
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'],
      registers: [registry],
    });
  const acquisitions =
    (registry.getSingleMetric(ACQUISITIONS) as Counter<'name'> | undefined) ??
    new Counter({
      name: ACQUISITIONS,
      help: 'Times this process became leader of the lock (session lock acquired).',
      labelNames: ['name'],
      registers: [registry],
    });
  const losses =
    (registry.getSingleMetric(LOSSES) as Counter<'name'> | undefined) ??
    new Counter({
      name: LOSSES,
      help: 'Times this process lost leadership involuntarily (session invalidated, renew deadline passed, lock taken away).',
      labelNames: ['name'],
      registers: [registry],
    });
  const labels = { name };
  status.set(labels, 0);
  acquisitions.inc(labels, 0);
  losses.inc(labels, 0);
  return {
    leading: (isLeader) => status.set(labels, isLeader ? 1 : 0),
    acquired: () => acquisitions.inc(labels),
    lost: () => losses.inc(labels),
  };
}
