/**
 * Reply: what a handler answers, written by the router in Consul's wire format.
 *
 * Invariants:
 * - JSON replies are `application/json`; error and raw replies are written as given.
 * - A reply with `index` carries X-Consul-Index, X-Consul-KnownLeader and X-Consul-LastContact,
 *   as Consul's setMeta does for every query endpoint.
 */
export interface Reply {
  readonly status?: number;
  readonly json?: unknown;
  readonly raw?: Buffer | string;
  readonly index?: number;
}

export function json(value: unknown, index?: number): Reply {
  return index === undefined ? { json: value } : { json: value, index };
}
