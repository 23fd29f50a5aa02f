/**
 * ControllerGroup: the controllers (and leader-only runnables) that share one leadership, such as
 * the three ACL controllers of one ECS cluster. The manager runs one group per name.
 *
 * Invariants:
 * - Without a leadership, the controllers are built once and run from `start` to `stop`.
 * - With one, a new set of controllers is built and started each time leadership is gained, then
 *   the leader-only runnables start; the moment it is lost, both stop at once (in-flight
 *   reconciles are aborted). Transitions run one at a time, in order, and none starts after `stop`.
 * - On each gain, `refresh` (the group's informers relisting) completes before any controller or
 *   leader-only runnable starts; a loss or `stop` during it aborts it, and nothing starts.
 * - `stop` stops the controllers gracefully (bounded by the caller's timeout), then the leader-only
 *   runnables, then the leadership itself, which releases the lock.
 */
import { type Subscription } from 'rxjs';

import { type Controller } from '../reconcile/controller.js';
import { type Logger } from '../log/logger.js';
import { type ControllerPlugin } from './controller-plugin.js';
import { type Leadership } from './leadership.js';
import { type Runnable } from './runnable.js';

export interface ControllerGroupParts {
  readonly name: string;
  readonly plugins: readonly ControllerPlugin[];
  readonly build: (plugin: ControllerPlugin) => Controller;
  readonly logger: Logger;
  readonly leadership?: Leadership;
  /** Runnables that run only while leading (ignored, i.e. run by the manager, without a leadership). */
  readonly leaderRunnables?: readonly Runnable[];
  /**
   * Brings the group's caches up to date (a full relist of its informers); awaited on each
   * leadership gain before any controller starts, so a new leader acts on the truth, not on a warm
   * cache that may be a resync behind. Rejects when `signal` aborts (leadership lost, or stop).
   */
  readonly refresh?: (signal: AbortSignal) => Promise<void>;
}

export class ControllerGroup {
  private active: readonly Controller[];
  private leading = false;
  private started = false;
  private stopped = false;
  private subscription: Subscription | undefined;
  /** Leadership changes run one at a time, in order. */
  private transition: Promise<void> = Promise.resolve();
  /** Aborts a refresh in progress (leadership lost, or stop). */
  private refreshing = new AbortController();

  constructor(private readonly parts: ControllerGroupParts) {
    this.active = parts.plugins.map(parts.build);
  }

  get name(): string {
    return this.parts.name;
  }

  /** The controllers of the current (or last) leadership term; all of them without election. */
  get controllers(): readonly Controller[] {
    return this.active;
  }

  /** True while this group's controllers should run: from start to stop without a leadership. */
  get isLeading(): boolean {
    return this.started && !this.stopped && (this.parts.leadership === undefined || this.leading);
  }

  /** Starts the controllers, or the election that gates them; does nothing once stopped. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const { leadership } = this.parts;
    if (!leadership) {
      for (const controller of this.active) controller.start();
      return;
    }
    this.subscription = leadership.leading$.subscribe((leading) => void this.onLeadership(leading));
    leadership.start();
  }

  /** Resolves false when a controller had to abort in-flight work after `gracefulMs`. */
  async stop(gracefulMs: number): Promise<boolean> {
    this.stopped = true;
    if (!this.started) return true;
    this.subscription?.unsubscribe();
    this.refreshing.abort(new Error('controller group stopped'));
    const graceful = await this.transition.then(() => this.stopControllers(gracefulMs));
    if (this.leading) await this.stopLeaderRunnables();
    await this.parts.leadership?.stop();
    return graceful;
  }

  /** Names of controllers that should run but do not (yet); empty on a standby. */
  notRunning(): string[] {
    if (this.started && !this.isLeading) return [];
    return this.active.filter((controller) => !controller.isRunning).map((controller) => controller.name);
  }

  private onLeadership(leading: boolean): Promise<void> {
    if (!leading) this.refreshing.abort(new Error('leadership lost'));
    this.transition = this.transition.then(async () => {
      if (leading === this.leading || this.stopped) return;
      this.leading = leading;
      const fields = { group: this.parts.name };
      if (leading) {
        if (!(await this.refreshed())) return;
        this.active = this.parts.plugins.map(this.parts.build);
        for (const controller of this.active) controller.start();
        for (const runnable of this.parts.leaderRunnables ?? []) runnable.start();
        this.parts.logger.info('leadership gained; controllers started', fields);
      } else {
        this.parts.logger.warn('leadership lost; controllers stopped', fields);
        await Promise.all([this.stopControllers(0), this.stopLeaderRunnables()]);
      }
    });
    return this.transition;
  }

  /** Runs `refresh`; false (and not leading) when it was aborted or failed. */
  private async refreshed(): Promise<boolean> {
    if (!this.parts.refresh) return true;
    this.refreshing = new AbortController();
    try {
      await this.parts.refresh(this.refreshing.signal);
      this.parts.logger.info('leadership gained; caches relisted', { group: this.parts.name });
      return !this.stopped;
    } catch {
      this.leading = false;
      return false;
    }
  }

  private async stopControllers(gracefulMs: number): Promise<boolean> {
    const results = await Promise.all(
      this.active.map((controller) => (controller.isRunning ? controller.stop(gracefulMs) : true)),
    );
    return results.every(Boolean);
  }

  private async stopLeaderRunnables(): Promise<void> {
    await Promise.all((this.parts.leaderRunnables ?? []).map((runnable) => runnable.stop()));
  }
}
