/**
 * The framework demo: a composition root that runs the example task-census controller on the
 * framework's generic ECS task informer against the envtest ECS server, plays a short scripted
 * story through the real AWS SDK, prints a timeline, and exits by itself.
 */
import 'reflect-metadata';

import {
  CreateClusterCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';

import { startEcsServer } from '../../envtest/ecs/server.js';
import { createContainer } from '../../src/di/container.js';
import { frameworkModule } from '../../src/di/framework-module.js';
import { TYPES } from '../../src/di/types.js';
import { type Manager } from '../../src/manager/manager.js';
import { type Clock, sleep } from '../../src/time/clock.js';
import { CensusBoard } from './census-board.js';
import { taskCensusModule } from './module.js';

const CLUSTER = 'census';
const startedAt = performance.now();
const stamp = () => `+${((performance.now() - startedAt) / 1000).toFixed(2)}s`.padEnd(8);

function timelineSink(line: string): void {
  const { msg, time: _time, level: _level, ...fields } = JSON.parse(line) as Record<string, unknown>;
  const details = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  console.log(`${stamp()} ${msg}  ${details}`);
}

const server = await startEcsServer({ timings: { provisioningMs: 50, pendingMs: 50, stoppingMs: 50 } });
const ecs = new ECSClient({
  region: 'us-east-1',
  endpoint: server.url,
  credentials: { accessKeyId: 'AKIDDEMO', secretAccessKey: 'demo' },
});
await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
for (const family of ['web', 'api']) {
  await ecs.send(
    new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: family, image: 'busybox' }] }),
  );
}
const run = (family: string, count: number) =>
  ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family, count }));
const stopAll = async (family: string) => {
  const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, family }));
  for (const task of taskArns) await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task }));
};

const container = createContainer(
  frameworkModule({ logLevel: 'info', logSink: timelineSink, manager: { opsPort: 0, opsHost: '127.0.0.1' } }),
  taskCensusModule({ tasks: { ecs, cluster: CLUSTER }, pollPeriodMs: 200 }),
);
const manager = container.get<Manager>(TYPES.Manager);
const clock = container.get<Clock>(TYPES.Clock);
const board = container.get(CensusBoard);

const story: Array<[string, () => Promise<unknown>]> = [
  ['two families start: web ×2, api ×1', () => Promise.all([run('web', 2), run('api', 1)])],
  ['web scales up to 4', () => run('web', 2)],
  ['api goes away', () => stopAll('api')],
];

await manager.start();
console.log(
  `${stamp()} envtest ECS at ${server.url}; metrics at ${manager.opsUrl}/metrics (while the demo runs)`,
);
for (const [what, act] of story) {
  console.log(`${stamp()} -- ${what}`);
  await act();
  await sleep(clock, 700);
}
console.log(`${stamp()} final census: ${JSON.stringify(board.snapshot())}`);
const { graceful } = await manager.stop();
ecs.destroy();
await server.close();
process.exit(graceful ? 0 : 4);
