/**
 * ControllerPlugin: what a pluggable controller gives the manager.
 *
 * A plugin is bound under `TYPES.ControllerPlugin`, as an injectable class or as a value a module
 * builds (the ACL module builds one set per ECS cluster); the manager collects every binding with
 * `multiInject`, builds one Controller (queue, workers, metrics) per plugin, and starts them once
 * their group's informers have synced. Plugin names must be unique. Plugins of one `group` share
 * a leadership, if one of that name is bound (one group per ECS cluster).
 */
import { type AnyWatch } from '../reconcile/watch.js';
import { type Reconciler } from '../reconcile/reconciler.js';
import { type RateLimiterOptions } from '../workqueue/rate-limiters.js';

export interface ControllerPlugin {
  /** Unique controller name: the `controller` label of its metrics. */
  readonly name: string;
  /** The group whose leadership gates it; "" (the default) when not set. */
  readonly group?: string;
  readonly reconciler: Reconciler;
  readonly maxConcurrentReconciles?: number;
  readonly rateLimiter?: RateLimiterOptions;
  /** The event sources whose events enqueue keys, read once when the controller starts. */
  watches(): readonly AnyWatch[];
  /**
   * Keys enqueued each time a controller of this plugin starts (on every leadership term), before
   * any watch event: for a controller whose first run must not wait for an event.
   */
  readonly initialKeys?: () => readonly string[];
}
