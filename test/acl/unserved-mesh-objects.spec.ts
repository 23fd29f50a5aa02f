import { expect } from 'chai';
import { EMPTY, type Subscription } from 'rxjs';
import { Registry } from 'prom-client';

import { type InformerEvent } from '../../src/cache/events.js';
import { Informer, type ListResult } from '../../src/cache/informer.js';
import { Store } from '../../src/cache/store.js';
import { JsonLogger } from '../../src/log/logger.js';
import { type AnyWatch } from '../../src/reconcile/watch.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { type AclControllerConfig } from '../../controllers/domain/acl-config.js';
import { type MeshService, toMeshService } from '../../controllers/domain/mesh-service.js';
import { type MeshTask, toMeshTask } from '../../controllers/domain/mesh-task.js';
import { type AclDeps } from '../../controllers/adapters/acl-deps.js';
import { AclMetrics } from '../../controllers/adapters/acl-metrics.js';
import { TOKENS_BY_SERVICE } from '../../controllers/adapters/acl-informers.js';
import { ServiceTokenController } from '../../controllers/service-token/service-token-controller.js';
import { newTestScheduler } from '../helpers/test-scheduler.js';

const MESH = { key: 'consul.hashicorp.com/mesh', value: 'true' };
const name = (value: string) => ({ key: 'consul.hashicorp.com/service-name', value });
const partition = (value: string) => ({ key: 'consul.hashicorp.com/partition', value });
const namespace = (value: string) => ({ key: 'consul.hashicorp.com/namespace', value });
type Tag = { key: string; value: string };

const task = (id: string, tags: Tag[]): MeshTask =>
  toMeshTask(
    {
      taskArn: `arn:aws:ecs:us-east-1:123456789012:task/prod/${id}`,
      taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${id}:1`,
      tags,
      version: 1,
    },
    true,
    'default',
  );

const ecsService = (id: string, status: string, tags: Tag[]): MeshService =>
  toMeshService(
    {
      serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/prod/${id}`,
      status,
      taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${id}:1`,
      desiredCount: 1,
      tags: [],
      taskDefinition: { family: id, tags },
    },
    true,
    'default',
  );

const TASKS = [
  task('web-1', [MESH, name('web')]),
  task('broken', [MESH, partition('default')]),
  task('elsewhere', [MESH, partition('other'), namespace('default')]),
  task('plain', []),
];
const SERVICES = [
  ecsService('api', 'ACTIVE', [MESH, name('api')]),
  ecsService('old', 'INACTIVE', [MESH, name('old')]),
  ecsService('broken-svc', 'ACTIVE', [MESH, namespace('default')]),
  ecsService('elsewhere-svc', 'ACTIVE', [MESH, partition('other'), namespace('default')]),
];

function setup() {
  const lines: Record<string, unknown>[] = [];
  const registry = new Registry();
  const config = {
    cluster: 'prod',
    partitionsEnabled: true,
    partition: 'default',
    concurrency: 1,
  } as AclControllerConfig;
  const logger = new JsonLogger({
    clock: new ManualClock(0),
    level: 'debug',
    sink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const ts = newTestScheduler();
  const informer = <T>(items: readonly T[], keyOf: (obj: T) => string) =>
    new Informer<T>({
      name: 'objects',
      list: () => ts.createColdObservable<ListResult<T>>('-x|', { x: { items } }),
      keyOf,
      versionOf: () => '1',
      scheduler: ts,
      resyncPeriodMs: 10,
      random: () => 0,
    });
  const deps = {
    config,
    logger,
    metrics: new AclMetrics(registry, config.cluster),
    clock: new ManualClock(0),
    scopedName: (base: string) => base,
    tasks: informer(TASKS, (t) => t.taskArn),
    services: informer(SERVICES, (s) => s.serviceArn),
    // No token cached: every resync of a served task gives its key.
    tokens: { events$: EMPTY, store: new Store<never>(() => '', { [TOKENS_BY_SERVICE]: () => [] }) },
  } as unknown as AclDeps;
  const controller = new ServiceTokenController(deps);
  const noted: string[] = [];
  controller.reconciler.noteNeeded = (key) => void noted.push(key);
  const counts = async () => {
    const value = async (metric: string, labels: Record<string, string>) => {
      const family = await registry.getSingleMetric(metric)!.get();
      const found = family.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
      return found?.value ?? 0;
    };
    return {
      invalidTags: await value('acl_controller_errors_total', { kind: 'invalid_task_tags' }),
      foreignTasks: await value('acl_controller_skipped_total', { resource: 'task' }),
      foreignServices: await value('acl_controller_skipped_total', { resource: 'ecs_service' }),
    };
  };
  return { ts, lines, noted, controller, counts };
}

/** Subscribes to a watch as the framework's Controller does: keys of every event, in order. */
function follow(watch: AnyWatch, keys: string[]): Subscription {
  return watch.source.subscribe((event: InformerEvent<unknown>) => keys.push(...watch.toKeys(event)));
}

describe('ServiceTokenController watches and UnservedMeshObjects', () => {
  it('maps events to keys without side effects: no log, no metric, no noteNeeded', async () => {
    const { lines, noted, controller, counts } = setup();
    const [tasks, services] = controller.watches();
    const keys = [
      ...TASKS.flatMap((obj) => [...tasks.toKeys({ type: 'added', key: obj.taskArn, obj })]),
      ...SERVICES.flatMap((obj) => [...services.toKeys({ type: 'added', key: obj.serviceArn, obj })]),
    ];
    expect(keys).to.deep.equal(['default/default/web', 'default/default/api', 'default/default/old']);
    expect(lines).to.deep.equal([]);
    expect(noted).to.deep.equal([]);
    expect(await counts()).to.deep.equal({ invalidTags: 0, foreignTasks: 0, foreignServices: 0 });
  });

  it('reports each unserved object and notes each needed key once, however often it is seen again', async () => {
    const { ts, lines, noted, controller, counts } = setup();
    const [tasks, services] = controller.watches();
    const keys: string[] = [];
    ts.run(() => {
      const subscriptions = [follow(tasks, keys), follow(services, keys)];
      // The first list at 1 ms, then resyncs (every object again) every 10 ms.
      ts.schedule(() => subscriptions.forEach((subscription) => subscription.unsubscribe()), 35);
    });

    expect(keys.filter((key) => key === 'default/default/web')).to.have.length(4);
    expect(keys.filter((key) => key === 'default/default/api')).to.have.length(4);
    expect(noted).to.deep.equal(['default/default/web', 'default/default/api']);
    expect(await counts()).to.deep.equal({ invalidTags: 2, foreignTasks: 1, foreignServices: 1 });
    expect(lines.map(({ time: _time, ...line }) => line)).to.deep.equal([
      {
        level: 'error',
        msg: 'skipping mesh task with unusable tags',
        task: TASKS[1].taskArn,
        cluster: 'prod',
        reason: 'task definition requires both partition and namespace tags',
      },
      {
        level: 'debug',
        msg: 'skipping task in external partition',
        task: TASKS[2].taskArn,
        cluster: 'prod',
        partition: 'other',
        servedPartition: 'default',
      },
      {
        level: 'error',
        msg: 'skipping mesh ECS service with unusable tags',
        ecsService: SERVICES[2].serviceArn,
        cluster: 'prod',
        reason: 'task definition requires both partition and namespace tags',
      },
      {
        level: 'debug',
        msg: 'skipping ECS service in external partition',
        ecsService: SERVICES[3].serviceArn,
        cluster: 'prod',
        partition: 'other',
        servedPartition: 'default',
      },
    ]);
  });
});
