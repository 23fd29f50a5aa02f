// The queue and controller metrics on their hot paths (label-bound children): each hook moves
// exactly its own series, by the right amount, on the injected clock.
import { expect } from 'chai';
import { Registry } from 'prom-client';

import { ControllerMetrics } from '../../src/metrics/controller-metrics.js';
import { WorkQueueMetrics } from '../../src/metrics/workqueue-metrics.js';
import { ManualClock } from '../../src/time/manual-clock.js';

async function series(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const value of metric.values) {
      const name = (value as { metricName?: string }).metricName ?? metric.name;
      const labels = Object.entries(value.labels)
        .filter(([key]) => key !== 'le')
        .map(([key, label]) => `${key}=${label}`)
        .join(',');
      if (name.endsWith('_bucket')) continue;
      out[`${name}{${labels}}`] = value.value;
    }
  }
  return out;
}

describe('hot-path metrics', () => {
  it('WorkQueueMetrics: depth, adds, retries and both durations, per queue', async () => {
    const registry = new Registry();
    const clock = new ManualClock(0);
    const metrics = new WorkQueueMetrics(registry, clock);
    const q = metrics.forQueue('q');
    metrics.forQueue('other');
    q.added('a');
    q.added('b');
    await clock.advance(2_000);
    q.started('a');
    await clock.advance(1_000);
    q.finished('a');
    q.retried('a');
    const got = await series(registry);
    expect(got['workqueue_depth{name=q,controller=q,priority=}']).to.equal(1);
    expect(got['workqueue_adds_total{name=q,controller=q}']).to.equal(2);
    expect(got['workqueue_retries_total{name=q,controller=q}']).to.equal(1);
    expect(got['workqueue_queue_duration_seconds_count{name=q,controller=q}']).to.equal(1);
    expect(got['workqueue_queue_duration_seconds_sum{name=q,controller=q}']).to.equal(2);
    expect(got['workqueue_work_duration_seconds_sum{name=q,controller=q}']).to.equal(1);
    expect(got['workqueue_adds_total{name=other,controller=other}']).to.equal(0);
    expect(got['workqueue_depth{name=other,controller=other,priority=}']).to.equal(0);
  });

  it('ControllerMetrics: outcomes, errors, reconcile time and active workers, per controller', async () => {
    const registry = new Registry();
    const metrics = new ControllerMetrics(registry);
    const c = metrics.forController('c', 2);
    metrics.forController('d', 1);
    c.workerStarted();
    c.workerStarted();
    c.workerFinished();
    c.reconciled('success', 0.5);
    c.reconciled('requeue_after', 0.25);
    c.reconciled('error', 0.25);
    c.failed(true);
    const got = await series(registry);
    expect(got['controller_runtime_reconcile_total{controller=c,result=success}']).to.equal(1);
    expect(got['controller_runtime_reconcile_total{controller=c,result=requeue_after}']).to.equal(1);
    expect(got['controller_runtime_reconcile_total{controller=c,result=error}']).to.equal(1);
    expect(got['controller_runtime_reconcile_total{controller=c,result=requeue}']).to.equal(0);
    expect(got['controller_runtime_reconcile_errors_total{controller=c}']).to.equal(1);
    expect(got['controller_runtime_terminal_reconcile_errors_total{controller=c}']).to.equal(1);
    expect(got['controller_runtime_reconcile_time_seconds_sum{controller=c}']).to.equal(1);
    expect(got['controller_runtime_active_workers{controller=c}']).to.equal(1);
    expect(got['controller_runtime_reconcile_total{controller=d,result=success}']).to.equal(0);
  });
});
