/**
 * Manager: runs the ops server, the informers and the controllers, in controller-runtime's order.
 *
 * Invariants:
 * - Start order: ops server, then runnables (event consumers), then informers, then each group's
 *   controllers once that group's informers (and the ungrouped ones) have synced; `start`
 *   resolves when every group has started. If a group's informers do not sync within
 *   `cacheSyncTimeoutMs`, start fails with exit code 3.
 * - Stop order: controllers (stop taking work, finish in-flight reconciles), then runnables, then
 *   informers, then the ops server last, so metrics and probes answer until the end.
 * - Stop is bounded by `gracefulShutdownMs`: past it, in-flight reconciles are aborted and stop
 *   resolves with `graceful: false`.
 * - Controllers run in groups (plugin `group`, e.g. one per ECS cluster). A group with a leadership
 *   bound under the same name builds and starts its controllers each time leadership is gained,
 *   after the informers synced, and stops them the moment it is lost (in-flight reconciles are
 *   aborted at once); informers and runnables keep running, so a standby stays warm. Each group
 *   has its own leadership, so N replicas can share M groups.
 * - `/readyz` passes only when every informer has synced and every controller that should run
 *   runs (a standby group runs none and is ready); `/healthz` passes while the process is alive.
 * - Controller names are unique; a duplicate fails at construction.
 */
import { Subject, type Subscription } from 'rxjs';

import { type Informer } from '../cache/informer.js';
import { Controller } from '../reconcile/controller.js';
import { type Logger } from '../log/logger.js';
import { type ControllerMetrics } from '../metrics/controller-metrics.js';
import { type InformerMetrics } from '../metrics/informer-metrics.js';
import { type WorkQueueMetrics } from '../metrics/workqueue-metrics.js';
import { type OpsServer, type OpsServerProbes } from '../ops/ops-server.js';
import { type Clock } from '../time/clock.js';
import { defaultRateLimiter } from '../workqueue/rate-limiters.js';
import { type ControllerPlugin } from './controller-plugin.js';
import { ControllerGroup } from './controller-group.js';
import { type Leadership } from './leadership.js';
import { EXIT_CODES, ManagerError } from './errors.js';
import { type ManagerOptions } from './manager-options.js';
import { type Runnable } from './runnable.js';

/** What a Manager runs and reports to; the composition root (src/di) gathers it. */
export interface ManagerParts {
  readonly ops: OpsServer;
  readonly probes: OpsServerProbes;
  readonly informers?: readonly Informer<unknown>[];
  readonly plugins?: readonly ControllerPlugin[];
  readonly runnables?: readonly Runnable[];
  readonly leaderships?: readonly Leadership[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly options: ManagerOptions;
  readonly controllerMetrics: ControllerMetrics;
  readonly queueMetrics: WorkQueueMetrics;
  readonly informerMetrics: InformerMetrics;
}

export class Manager {
  private readonly groups: readonly ControllerGroup[];
  private readonly runnables: readonly Runnable[];
  private informerRuns: Subscription[] = [];
  private phase: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private readonly stopRequested = new Subject<void>();

  private readonly ops: OpsServer;
  private readonly informers: readonly Informer<unknown>[];
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly options: ManagerOptions;
  private readonly controllerMetrics: ControllerMetrics;
  private readonly queueMetrics: WorkQueueMetrics;
  private readonly informerMetrics: InformerMetrics;

  constructor(parts: ManagerParts) {
    const { probes, plugins = [], leaderships = [] } = parts;
    const informers = parts.informers ?? [];
    const runnables = parts.runnables ?? [];
    this.ops = parts.ops;
    this.informers = informers;
    this.clock = parts.clock;
    this.logger = parts.logger;
    this.options = parts.options;
    this.controllerMetrics = parts.controllerMetrics;
    this.queueMetrics = parts.queueMetrics;
    this.informerMetrics = parts.informerMetrics;
    assertUniqueNames(
      plugins.map((plugin) => plugin.name),
      'controller',
    );
    assertUniqueNames(
      informers.map((informer) => informer.name),
      'informer',
    );
    assertUniqueNames(
      leaderships.map((leadership) => leadership.name),
      'leadership',
    );
    const gated = (runnable: Runnable) =>
      runnable.leaderOnly === true && leaderships.some((l) => l.name === (runnable.group ?? ''));
    this.runnables = runnables.filter((runnable) => !gated(runnable));
    const groupNames = new Set([
      ...plugins.map((plugin) => plugin.group ?? ''),
      ...leaderships.map((l) => l.name),
    ]);
    this.groups = [...groupNames].map(
      (name) =>
        new ControllerGroup({
          name,
          plugins: plugins.filter((plugin) => (plugin.group ?? '') === name),
          build: (plugin) => this.buildController(plugin),
          logger: this.logger,
          leadership: leaderships.find((leadership) => leadership.name === name),
          leaderRunnables: runnables.filter((runnable) => gated(runnable) && (runnable.group ?? '') === name),
          refresh: async (signal) => {
            const own = this.informers.filter((informer) => informer.group === name);
            await Promise.all(own.map((informer) => informer.relistNow(signal)));
          },
        }),
    );
    probes.healthz.add('ping', () => undefined);
    probes.readyz.add('informers', () => this.unsyncedInformers());
    probes.readyz.add('controllers', () => this.notRunningControllers());
  }

  /** The controllers of the current (or last) leadership terms; all of them without election. */
  get controllers(): readonly Controller[] {
    return this.groups.flatMap((group) => group.controllers);
  }

  /** The groups whose controllers run in this process now (all of them without leader election). */
  leadingGroups(): string[] {
    return this.groups.filter((group) => group.isLeading).map((group) => group.name);
  }

  /** The ops server's URL once started. */
  get opsUrl(): string | undefined {
    return this.ops.url;
  }

  async start(): Promise<void> {
    if (this.phase !== 'new') throw new Error(`manager cannot start from phase ${this.phase}`);
    this.phase = 'starting';
    const url = await this.ops.start(this.options.opsPort, this.options.opsHost);
    this.logger.info('ops server listening', { url, endpoints: ['/metrics', '/healthz', '/readyz'] });
    for (const runnable of this.runnables) runnable.start();
    for (const informer of this.informers) {
      this.informerMetrics.track(informer);
      this.informerRuns.push(informer.run());
    }
    // Each group starts as soon as its own informers (and the shared ones) have synced, so a
    // cluster whose caches cannot fill never holds back another cluster's controllers.
    await Promise.all(this.groups.map((group) => this.startWhenSynced(group)));
    if (this.phase !== 'starting') return;
    this.phase = 'running';
    this.logger.info('manager started', {
      informers: this.informers.map((informer) => informer.name),
      controllers: this.controllers.map((controller) => controller.name),
    });
  }

  private async startWhenSynced(group: ControllerGroup): Promise<void> {
    const informers = this.informers.filter(
      (informer) => informer.gatesStart && (informer.group === '' || informer.group === group.name),
    );
    await this.waitForSync(informers);
    if (this.phase !== 'starting' && this.phase !== 'running') return;
    group.start();
  }

  /** Stops everything in reverse order; resolves `graceful: false` if the timeout cut it short. */
  async stop(): Promise<{ graceful: boolean }> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return { graceful: true };
    this.phase = 'stopping';
    this.stopRequested.next();
    const { gracefulShutdownMs } = this.options;
    this.logger.info('manager stopping', { gracefulShutdownMs });
    const groupsStopped = Promise.all(this.groups.map((group) => group.stop(gracefulShutdownMs))).then(
      (all) => all.every(Boolean),
    );
    let cancelDeadline: () => void = () => undefined;
    const deadline = new Promise<boolean>((resolve) => {
      cancelDeadline = this.clock.setTimer(gracefulShutdownMs + 1_000, () => resolve(false));
    });
    const graceful = await Promise.race([groupsStopped, deadline]);
    cancelDeadline();
    await Promise.all(this.runnables.map((runnable) => runnable.stop()));
    for (const run of this.informerRuns) run.unsubscribe();
    this.informerRuns = [];
    await this.ops.stop();
    this.phase = 'stopped';
    this.logger.info('manager stopped', { graceful });
    return { graceful };
  }

  private buildController(plugin: ControllerPlugin): Controller {
    const workers = plugin.maxConcurrentReconciles ?? 1;
    return new Controller({
      name: plugin.name,
      reconciler: plugin.reconciler,
      watches: plugin.watches(),
      initialKeys: plugin.initialKeys?.bind(plugin),
      maxConcurrentReconciles: workers,
      rateLimiter: defaultRateLimiter(this.clock, plugin.rateLimiter),
      clock: this.clock,
      logger: this.logger,
      metrics: this.controllerMetrics.forController(plugin.name, workers),
      queueObserver: this.queueMetrics.forQueue(plugin.name),
    });
  }

  /** Resolves once every one of `informers` has synced, or the manager is stopping. */
  private waitForSync(informers: readonly Informer<unknown>[]): Promise<void> {
    const unsynced = () => informers.filter((informer) => !informer.hasSynced()).map((i) => i.name);
    if (unsynced().length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const subscriptions: Subscription[] = [];
      const finish = (error?: Error) => {
        cancel();
        subscriptions.forEach((subscription) => subscription.unsubscribe());
        if (error) reject(error);
        else resolve();
      };
      const timeoutMs = this.options.cacheSyncTimeoutMs;
      const cancel =
        timeoutMs <= 0
          ? () => undefined
          : this.clock.setTimer(timeoutMs, () =>
              finish(
                new ManagerError(
                  `informers did not sync within ${timeoutMs} ms (not synced: ${unsynced().join(', ')})`,
                  EXIT_CODES.cacheSyncTimeout,
                ),
              ),
            );
      subscriptions.push(this.stopRequested.subscribe(() => finish()));
      for (const informer of informers) {
        subscriptions.push(
          informer.synced$.subscribe(() => {
            if (unsynced().length === 0) finish();
          }),
        );
      }
    });
  }

  private unsyncedInformers(): string | undefined {
    const waiting = this.informers
      .filter((informer) => !informer.hasSynced())
      .map((informer) => informer.name);
    return waiting.length === 0 ? undefined : `not synced: ${waiting.join(', ')}`;
  }

  private notRunningControllers(): string | undefined {
    if (this.phase !== 'running') return `manager is ${this.phase}`;
    const stopped = this.groups.flatMap((group) => group.notRunning());
    return stopped.length === 0 ? undefined : `not running: ${stopped.join(', ')}`;
  }
}

function assertUniqueNames(names: readonly string[], kind: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`two ${kind}s are named "${name}": ${kind} names must be unique`);
    seen.add(name);
  }
}
