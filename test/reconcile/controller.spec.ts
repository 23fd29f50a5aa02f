import { expect } from 'chai';
import { Registry } from 'prom-client';
import { Subject } from 'rxjs';

import { type InformerEvent } from '../../src/cache/events.js';
import { Controller } from '../../src/reconcile/controller.js';
import { SILENT_LOGGER } from '../../src/log/logger.js';
import { ControllerMetrics } from '../../src/metrics/controller-metrics.js';
import { type ReconcileResult, TerminalError } from '../../src/reconcile/reconciler.js';
import { ManualClock } from '../../src/time/manual-clock.js';

interface Task {
  id: string;
  service: string;
}

function setup(reconcile: (key: string, signal: AbortSignal) => Promise<ReconcileResult | void>) {
  const clock = new ManualClock(0);
  const events = new Subject<InformerEvent<Task>>();
  const registry = new Registry();
  const metrics = new ControllerMetrics(registry);
  const controller = new Controller({
    name: 'services',
    clock,
    logger: SILENT_LOGGER,
    reconciler: { reconcile },
    watches: [{ source: events, toKeys: (event) => [event.obj.service] }],
    metrics: metrics.forController('services', 2),
    maxConcurrentReconciles: 2,
  });
  const add = (id: string, service: string) => events.next({ type: 'added', key: id, obj: { id, service } });
  return { clock, events, controller, registry, add };
}

/** A controller that records the keys it reconciles, mapping each event to its own key by default. */
function recording(options: {
  toKeys?: (event: InformerEvent<Task>) => string[];
  initialKeys?: () => readonly string[];
}) {
  const clock = new ManualClock(0);
  const events = new Subject<InformerEvent<Task>>();
  const seen: string[] = [];
  const controller = new Controller({
    name: 'c',
    clock,
    logger: SILENT_LOGGER,
    reconciler: { reconcile: async (key) => void seen.push(key) },
    watches: [{ source: events, toKeys: options.toKeys ?? ((event) => [event.key]) }],
    initialKeys: options.initialKeys,
  });
  return { clock, events, seen, controller };
}

async function counter(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return Number(value?.value ?? NaN);
}

describe('Controller (virtual time)', () => {
  it('maps events to keys, and coalesces a burst for a key being reconciled into one more run', async () => {
    const calls: Array<[string, number]> = [];
    const { clock, controller, add, registry } = setup(async (key) => {
      calls.push([key, clock.now()]);
    });
    controller.start();
    add('t1', 'web'); // an idle worker takes "web" at once
    add('t2', 'web'); // "web" is processing: deferred
    add('t3', 'web'); // still deferred: coalesced with t2
    add('t4', 'api');
    await clock.advance(0);
    expect(calls).to.deep.equal([
      ['web', 0],
      ['api', 0],
      ['web', 0],
    ]);
    expect(await counter(registry, 'controller_runtime_reconcile_total', { result: 'success' })).to.equal(3);
    await controller.stop();
  });

  it('honours requeueAfter and resets the backoff', async () => {
    const calls: number[] = [];
    const { clock, controller, add, registry } = setup(async () => {
      calls.push(clock.now());
      return calls.length < 3 ? { requeueAfterMs: 1_000 } : undefined;
    });
    controller.start();
    add('t1', 'web');
    await clock.advance(5_000);
    expect(calls).to.deep.equal([0, 1_000, 2_000]);
    expect(controller.queue.numRequeues('web')).to.equal(0);
    expect(
      await counter(registry, 'controller_runtime_reconcile_total', { result: 'requeue_after' }),
    ).to.equal(2);
    await controller.stop();
  });

  it('retries errors with a per-key backoff of 5 ms, 10 ms, 20 ms…, and forgets it on success', async () => {
    const calls: number[] = [];
    const { clock, controller, add, registry } = setup(async () => {
      calls.push(clock.now());
      if (calls.length <= 4) throw new Error('Consul unavailable');
    });
    controller.start();
    add('t1', 'web');
    await clock.advance(1_000);
    const gaps = calls.slice(1).map((at, i) => at - calls[i]);
    expect(gaps).to.deep.equal([5, 10, 20, 40]);
    expect(controller.queue.numRequeues('web')).to.equal(0);
    expect(await counter(registry, 'controller_runtime_reconcile_errors_total', {})).to.equal(4);
    expect(await counter(registry, 'controller_runtime_reconcile_total', { result: 'error' })).to.equal(4);
    await controller.stop();
  });

  it('drops a key after a terminal error and counts it', async () => {
    const calls: number[] = [];
    const { clock, controller, add, registry } = setup(async () => {
      calls.push(clock.now());
      throw new TerminalError('bad tag');
    });
    controller.start();
    add('t1', 'web');
    await clock.advance(10_000);
    expect(calls).to.deep.equal([0]);
    expect(await counter(registry, 'controller_runtime_terminal_reconcile_errors_total', {})).to.equal(1);
    await controller.stop();
  });

  it('enqueues its initial keys at start, before any event and without one, once per start', async () => {
    const clock = new ManualClock(0);
    const events = new Subject<InformerEvent<Task>>();
    const seen: Array<[string, number]> = [];
    const build = () =>
      new Controller({
        name: 'c',
        clock,
        logger: SILENT_LOGGER,
        reconciler: { reconcile: async (key) => void seen.push([key, clock.now()]) },
        watches: [{ source: events, toKeys: (event) => [event.obj.service] }],
        initialKeys: () => ['first', 'second'],
      });
    const term1 = build();
    await clock.advance(1_000);
    expect(seen, 'nothing before start').to.deep.equal([]);
    term1.start();
    events.next({ type: 'added', key: 't1', obj: { id: 't1', service: 'web' } });
    await clock.advance(0);
    expect(seen).to.deep.equal([
      ['first', 1_000],
      ['second', 1_000],
      ['web', 1_000],
    ]);
    await clock.advance(5_000);
    expect(seen, 'not again while running').to.have.length(3);
    await term1.stop();
    const term2 = build();
    term2.start();
    await clock.advance(0);
    expect(seen.slice(3)).to.deep.equal([
      ['first', 6_000],
      ['second', 6_000],
    ]);
    await term2.stop();
  });

  it('keeps running when initialKeys throws', async () => {
    const { clock, events, seen, controller } = recording({
      initialKeys: () => {
        throw new Error('boom');
      },
    });
    controller.start();
    events.next({ type: 'added', key: 'good', obj: { id: 'good', service: '' } });
    await clock.advance(0);
    expect(seen).to.deep.equal(['good']);
    await controller.stop();
  });

  it('keeps running when a key mapper throws', async () => {
    const { clock, events, seen, controller } = recording({
      toKeys: (event) => {
        if (event.key === 'bad') throw new Error('boom');
        return [event.key];
      },
    });
    controller.start();
    events.next({ type: 'added', key: 'bad', obj: { id: 'bad', service: '' } });
    events.next({ type: 'added', key: 'good', obj: { id: 'good', service: '' } });
    await clock.advance(0);
    expect(seen).to.deep.equal(['good']);
    await controller.stop();
  });

  it('stop waits for an in-flight reconcile to finish, and takes no new work', async () => {
    let release: () => void = () => undefined;
    const finished: string[] = [];
    const { clock, controller, add } = setup(async (key) => {
      await new Promise<void>((resolve) => (release = resolve));
      finished.push(key);
    });
    controller.start();
    add('t1', 'web');
    await clock.advance(0);
    let stopped = false;
    const stopping = controller.stop().then((graceful) => {
      stopped = true;
      return graceful;
    });
    add('t2', 'api');
    await clock.advance(0);
    expect(stopped, 'must wait for the in-flight reconcile').to.equal(false);
    release();
    expect(await stopping).to.equal(true);
    expect(finished).to.deep.equal(['web']);
  });

  it('aborts in-flight reconciles once the graceful timeout passes', async () => {
    const { clock, controller, add } = setup(
      (_key, signal) =>
        new Promise<void>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        ),
    );
    controller.start();
    add('t1', 'web');
    await clock.advance(0);
    const stopping = controller.stop(1_000);
    await clock.advance(1_000);
    expect(await stopping).to.equal(false);
  });
});
