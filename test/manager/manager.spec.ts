import { expect } from 'chai';
import { BehaviorSubject } from 'rxjs';

import { type CensusBoard } from '../../examples/task-census/census-board.js';
import { TYPES } from '../../src/di/types.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type Leadership } from '../../src/manager/leadership.js';
import { type Manager } from '../../src/manager/manager.js';
import { exampleContainer, GatedTaskSource } from '../helpers/example-container.js';
import { httpGet } from '../helpers/http.js';

const FRAMEWORK_METRICS = [
  'workqueue_depth',
  'workqueue_adds_total',
  'workqueue_queue_duration_seconds',
  'workqueue_work_duration_seconds',
  'workqueue_retries_total',
  'workqueue_unfinished_work_seconds',
  'workqueue_longest_running_processor_seconds',
  'controller_runtime_reconcile_total',
  'controller_runtime_reconcile_errors_total',
  'controller_runtime_terminal_reconcile_errors_total',
  'controller_runtime_reconcile_time_seconds',
  'controller_runtime_max_concurrent_reconciles',
  'controller_runtime_active_workers',
  'informer_last_sync_timestamp_seconds',
  'informer_synced',
  'informer_objects',
  'informer_events_total',
  'informer_list_errors_total',
  'process_cpu_seconds_total',
  'nodejs_eventloop_lag_seconds',
];

const task = (n: number, family: string) => ({ taskArn: `arn:task/${n}`, family, version: 1 });

describe('Manager with the ops server, over real HTTP', () => {
  let manager: Manager | undefined;

  afterEach(async () => {
    await manager?.stop();
    manager = undefined;
  });

  it('flips /readyz from 503 to 200 once the informers sync, while /healthz passes throughout', async () => {
    const source = new GatedTaskSource();
    const container = exampleContainer(source);
    manager = container.get<Manager>(TYPES.Manager);
    const starting = manager.start();
    // The ops server is up before the informers have synced.
    for (let i = 0; i < 100 && manager.opsUrl === undefined; i++) await new Promise((r) => setImmediate(r));
    const url = manager.opsUrl as string;
    const before = await httpGet(`${url}/readyz`);
    expect(before.status).to.equal(503);
    expect(before.body).to.contain('[-]informers failed: not synced: example-tasks');
    expect((await httpGet(`${url}/healthz`)).status).to.equal(200);

    source.publish([task(1, 'web'), task(2, 'web'), task(3, 'api')]);
    await starting;
    const after = await httpGet(`${url}/readyz?verbose`);
    expect(after.status).to.equal(200);
    expect(after.body).to.contain('[+]informers ok');
    expect(after.body).to.contain('[+]controllers ok');
    expect((await httpGet(`${url}/readyz/informers`)).status).to.equal(200);
    expect((await httpGet(`${url}/readyz/nope`)).status).to.equal(404);
  });

  it('serves every framework metric on /metrics, with controller-runtime labels', async () => {
    const source = new GatedTaskSource();
    source.publish([task(1, 'web'), task(2, 'api')]);
    const container = exampleContainer(source);
    manager = container.get<Manager>(TYPES.Manager);
    await manager.start();
    const board = container.get<CensusBoard>(
      (await import('../../examples/task-census/census-board.js')).CensusBoard,
    );
    for (let i = 0; i < 100 && Object.keys(board.snapshot()).length < 2; i++)
      await new Promise((r) => setImmediate(r));
    expect(board.snapshot()).to.deep.equal({ api: 1, web: 1 });

    const { status, body } = await httpGet(`${manager.opsUrl}/metrics`);
    expect(status).to.equal(200);
    for (const name of FRAMEWORK_METRICS) {
      expect(body, name).to.match(new RegExp(`^${name}(_bucket)?(\\{| )`, 'm'));
    }
    expect(body).to.contain(
      'controller_runtime_reconcile_total{controller="task-census",result="success"} 2',
    );
    expect(body).to.contain(
      'controller_runtime_reconcile_total{controller="task-census",result="requeue"} 0',
    );
    expect(body).to.contain('workqueue_adds_total{name="task-census",controller="task-census"} 2');
    expect(body).to.contain('controller_runtime_max_concurrent_reconciles{controller="task-census"} 2');
    expect(body).to.contain('informer_synced{informer="example-tasks"} 1');
  });

  it("enqueues a plugin's initial keys each time its controllers start: on every leadership gain", async () => {
    const source = new GatedTaskSource();
    source.publish([]);
    const container = exampleContainer(source);
    const seen: string[] = [];
    const leading = new BehaviorSubject(false);
    const plugin: ControllerPlugin = {
      name: 'starter',
      group: 'g',
      reconciler: { reconcile: async (key) => void seen.push(key) },
      watches: () => [],
      initialKeys: () => ['first'],
    };
    const leadership: Leadership = {
      name: 'g',
      leading$: leading,
      start: () => undefined,
      stop: async () => undefined,
    };
    container.bind(TYPES.ControllerPlugin).toConstantValue(plugin);
    container.bind(TYPES.Leadership).toConstantValue(leadership);
    manager = container.get<Manager>(TYPES.Manager);
    await manager.start();
    const until = async (count: number) => {
      for (let i = 0; i < 200 && seen.length < count; i++) await new Promise((r) => setImmediate(r));
    };
    await until(1);
    expect(seen, 'a standby runs nothing').to.deep.equal([]);
    leading.next(true);
    await until(1);
    expect(seen).to.deep.equal(['first']);
    leading.next(false);
    leading.next(true);
    await until(2);
    expect(seen).to.deep.equal(['first', 'first']);
  });

  it('fails to start with exit code 3 when the informers never sync', async () => {
    const { VirtualAction, VirtualTimeScheduler } = await import('rxjs');
    // Virtual time that stops at 10 s: the 5 s sync timeout falls due; the 60 s poll never does.
    const scheduler = new VirtualTimeScheduler(VirtualAction, 10_000);
    const container = exampleContainer(new GatedTaskSource(), {
      scheduler,
      manager: { cacheSyncTimeoutMs: 5_000 },
    });
    manager = container.get<Manager>(TYPES.Manager);
    const starting = manager.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    for (let i = 0; i < 100 && manager.opsUrl === undefined; i++) await new Promise((r) => setImmediate(r));
    scheduler.flush();
    const error = (await starting) as { exitCode: number; message: string };
    expect(error.exitCode).to.equal(3);
    expect(error.message).to.contain('not synced: example-tasks');
  });
});
