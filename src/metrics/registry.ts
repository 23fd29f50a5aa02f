/**
 * createRegistry: one prom-client Registry per container, never the global one.
 *
 * Invariants: the registry carries the default process and Node.js metrics, collected on scrape;
 * every metric of ours is registered on it explicitly, so two containers in one process (tests)
 * never clash on metric names.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
