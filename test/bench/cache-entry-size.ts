/**
 * `node --expose-gc dist/test/bench/cache-entry-size.js [N]`: the heap one cached mesh task
 * costs in the ECS task informer's store (its item and indexes), built as the controller builds
 * it: DescribeTasks answers parsed from JSON (so every string is a fresh copy, as the SDK gives
 * them), projected by the mesh-task projection, upserted into the informer's Store with its
 * indexers. Prints bytes per task after a full GC, and the V8 maps (hidden classes) seen.
 */
import { type EcsTaskFacts } from '../../src/aws/ecs-task-facts.js';
import { Store } from '../../src/cache/store.js';
import { TASKS_BY_ECS_SERVICE, TASKS_BY_SERVICE } from '../../controllers/adapters/mesh-indexes.js';
import { meshTaskProjection } from '../../controllers/adapters/mesh-task-informer.js';
import { servedServiceKeys } from '../../controllers/domain/mesh-identity.js';
import { type MeshTask } from '../../controllers/domain/mesh-task.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const tasks = Number(process.argv[2] ?? 10_000);
const perService = 5;
const account = '123456789012';

/** One DescribeTasks-like answer of 100 tasks, parsed from its JSON text as the SDK does. */
function describedPage(page: number): EcsTaskFacts[] {
  const answer = Array.from({ length: 100 }, (_, i) => {
    const n = page * 100 + i;
    const service = `svc-${Math.floor(n / perService)}`;
    return {
      taskArn: `arn:aws:ecs:us-east-1:${account}:task/prod/${n.toString(16).padStart(32, '0')}`,
      taskDefinitionArn: `arn:aws:ecs:us-east-1:${account}:task-definition/${service}:1`,
      version: 3,
      group: `service:${service}`,
      tags: [
        { key: 'consul.hashicorp.com/mesh', value: 'true' },
        { key: 'consul.hashicorp.com/service-name', value: service },
      ],
    };
  });
  return JSON.parse(JSON.stringify(answer)) as EcsTaskFacts[];
}

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const project = meshTaskProjection(false, undefined);

/** The informer's store, filled page by page (the lister keeps no other copy of a task). */
function filledStore(): Store<MeshTask> {
  const store = new Store<MeshTask>((task) => task.taskArn, {
    [TASKS_BY_SERVICE]: servedServiceKeys,
    [TASKS_BY_ECS_SERVICE]: (task) =>
      task.ecsService !== undefined && servedServiceKeys(task).length > 0 ? [task.ecsService] : [],
  });
  for (let page = 0; page < tasks / 100; page++)
    for (const facts of describedPage(page)) store.upsert(project(facts));
  return store;
}

const before = heap();
const store = filledStore();
const after = heap();
console.log(
  `cache-entry-size: ${store.size} tasks, ${Math.round((after - before) / store.size)} B/task in the store (items and indexes), ${((after - before) / 1e6).toFixed(1)} MB`,
);
