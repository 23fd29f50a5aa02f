/**
 * ScrapeGauge: a gauge whose value per cluster is computed when Prometheus scrapes, from a
 * function each cluster registers, instead of being set on every reconcile. For values that are
 * costly to compute (a walk over every cached service) and only matter when read.
 *
 * Invariants: one family per registry, shared by the clusters of a process; each cluster's
 * series is its provider's value at scrape time; a provider that throws leaves its last value.
 */
import { Gauge, type Registry } from 'prom-client';

export class ScrapeGauge extends Gauge<'cluster'> {
  private readonly providers = new Map<string, () => number>();

  constructor(name: string, help: string, registry: Registry) {
    super({
      name,
      help,
      labelNames: ['cluster'],
      registers: [registry],
      collect: () => this.refresh(),
    });
  }

  /** The family registered under `name` in `registry`, made on first use. */
  static shared(name: string, help: string, registry: Registry): ScrapeGauge {
    const existing = registry.getSingleMetric(name);
    return existing instanceof ScrapeGauge ? existing : new ScrapeGauge(name, help, registry);
  }

  provide(cluster: string, value: () => number): void {
    this.providers.set(cluster, value);
    this.set({ cluster }, 0);
  }

  private refresh(): void {
    for (const [cluster, value] of this.providers) {
      try {
        this.set({ cluster }, value());
      } catch {
        // keep the last value
      }
    }
  }
}
