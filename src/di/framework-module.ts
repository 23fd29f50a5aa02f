/**
 * frameworkModule: binds the framework's shared services: time, logging, metrics, probes, the ops
 * server and the manager. Controllers and informers come from other modules, bound under
 * `TYPES.ControllerPlugin` and `TYPES.Informer`.
 *
 * Invariants: every binding is a singleton of its container; there is no global registry or
 * logger, so two containers in one process are fully independent.
 */
import { ContainerModule } from 'inversify';
import { asyncScheduler, type SchedulerLike } from 'rxjs';

import { combineInformerObservers, type InformerObserver } from '../cache/informer-observer.js';
import { loggingInformerObserver } from '../cache/logging-informer-observer.js';
import { JsonLogger, type LogLevel, type Logger } from '../log/logger.js';
import { ApiMetrics } from '../metrics/api-metrics.js';
import { ControllerMetrics } from '../metrics/controller-metrics.js';
import { InformerMetrics } from '../metrics/informer-metrics.js';
import { createRegistry } from '../metrics/registry.js';
import { WorkQueueMetrics } from '../metrics/workqueue-metrics.js';
import { type Informer } from '../cache/informer.js';
import { type ControllerPlugin } from '../manager/controller-plugin.js';
import { type Leadership } from '../manager/leadership.js';
import { Manager } from '../manager/manager.js';
import { type Runnable } from '../manager/runnable.js';
import { DEFAULT_MANAGER_OPTIONS, type ManagerOptions } from '../manager/manager-options.js';
import { HealthChecks } from '../ops/health-checks.js';
import { OpsServer, type OpsServerProbes } from '../ops/ops-server.js';
import { type Clock } from '../time/clock.js';
import { SchedulerClock } from '../time/scheduler-clock.js';
import { TYPES } from './types.js';
import type { Registry } from 'prom-client';

export interface FrameworkSettings {
  readonly manager?: Partial<ManagerOptions>;
  readonly logLevel?: LogLevel;
  /** Where log lines go; standard output by default. */
  readonly logSink?: (line: string) => void;
  readonly logFormat?: 'json' | 'text';
  /** The scheduler that drives all time; `asyncScheduler` (real time) by default. */
  readonly scheduler?: SchedulerLike;
  readonly random?: () => number;
}

export function frameworkModule(settings: FrameworkSettings = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<SchedulerLike>(TYPES.Scheduler).toConstantValue(settings.scheduler ?? asyncScheduler);
    bind<Clock>(TYPES.Clock).toDynamicValue(
      (ctx) => new SchedulerClock(ctx.get<SchedulerLike>(TYPES.Scheduler)),
    );
    bind<() => number>(TYPES.Random).toConstantValue(settings.random ?? Math.random);
    bind<Logger>(TYPES.Logger).toDynamicValue(
      (ctx) =>
        new JsonLogger({
          clock: ctx.get<Clock>(TYPES.Clock),
          level: settings.logLevel,
          sink: settings.logSink,
          format: settings.logFormat,
        }),
    );
    bind<Registry>(TYPES.Registry).toDynamicValue(() => createRegistry());
    bind(TYPES.ControllerMetrics).toDynamicValue((ctx) => new ControllerMetrics(ctx.get(TYPES.Registry)));
    bind(TYPES.WorkQueueMetrics).toDynamicValue(
      (ctx) => new WorkQueueMetrics(ctx.get(TYPES.Registry), ctx.get(TYPES.Clock)),
    );
    bind(TYPES.InformerMetrics).toDynamicValue((ctx) => new InformerMetrics(ctx.get(TYPES.Registry)));
    bind(TYPES.ApiMetrics).toDynamicValue((ctx) => new ApiMetrics(ctx.get(TYPES.Registry)));
    bind<InformerObserver>(TYPES.InformerObserver).toDynamicValue((ctx) =>
      combineInformerObservers(
        ctx.get<InformerMetrics>(TYPES.InformerMetrics),
        loggingInformerObserver(ctx.get<Logger>(TYPES.Logger)),
      ),
    );
    bind<OpsServerProbes>(TYPES.Probes).toDynamicValue(() => ({
      healthz: new HealthChecks(),
      readyz: new HealthChecks(),
    }));
    bind(TYPES.OpsServer).toDynamicValue(
      (ctx) => new OpsServer(ctx.get(TYPES.Registry), ctx.get(TYPES.Probes)),
    );
    bind<ManagerOptions>(TYPES.ManagerOptions).toConstantValue({
      ...DEFAULT_MANAGER_OPTIONS,
      ...settings.manager,
    });
    bind(TYPES.Manager).toDynamicValue(
      (ctx) =>
        new Manager({
          ops: ctx.get(TYPES.OpsServer),
          probes: ctx.get(TYPES.Probes),
          informers: ctx.getAll<Informer<unknown>>(TYPES.Informer, { optional: true }),
          plugins: ctx.getAll<ControllerPlugin>(TYPES.ControllerPlugin, { optional: true }),
          runnables: ctx.getAll<Runnable>(TYPES.Runnable, { optional: true }),
          leaderships: ctx.getAll<Leadership>(TYPES.Leadership, { optional: true }),
          clock: ctx.get(TYPES.Clock),
          logger: ctx.get(TYPES.Logger),
          options: ctx.get(TYPES.ManagerOptions),
          controllerMetrics: ctx.get(TYPES.ControllerMetrics),
          queueMetrics: ctx.get(TYPES.WorkQueueMetrics),
          informerMetrics: ctx.get(TYPES.InformerMetrics),
        }),
    );
  });
}
