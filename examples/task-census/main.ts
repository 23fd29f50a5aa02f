/**
 * The framework demo: a composition root that runs the example task-census controller on a
 * simulated cluster, plays a short scripted story, prints a timeline, and exits by itself.
 */
import 'reflect-metadata';

import { createContainer } from '../../src/di/container.js';
import { frameworkModule } from '../../src/di/framework-module.js';
import { TYPES } from '../../src/di/types.js';
import { type Manager } from '../../src/manager/manager.js';
import { sleep } from '../../src/time/clock.js';
import { type Clock } from '../../src/time/clock.js';
import { CensusBoard } from './census-board.js';
import { taskCensusModule } from './module.js';
import { SimulatedCluster } from './simulated-cluster.js';

const cluster = new SimulatedCluster();
const startedAt = performance.now();
const stamp = () => `+${((performance.now() - startedAt) / 1000).toFixed(2)}s`.padEnd(8);

function timelineSink(line: string): void {
  const { msg, time: _time, level: _level, ...fields } = JSON.parse(line) as Record<string, unknown>;
  const details = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  console.log(`${stamp()} ${msg}  ${details}`);
}

const container = createContainer(
  frameworkModule({ logLevel: 'info', logSink: timelineSink, manager: { opsPort: 0, opsHost: '127.0.0.1' } }),
  taskCensusModule({ listTasks: cluster.list, pollPeriodMs: 200 }),
);
const manager = container.get<Manager>(TYPES.Manager);
const clock = container.get<Clock>(TYPES.Clock);
const board = container.get(CensusBoard);

const story: Array<[string, () => void]> = [
  ['two families start: web ×2, api ×1', () => (cluster.start('web', 2), cluster.start('api', 1))],
  ['web scales up to 4', () => cluster.start('web', 2)],
  ['api goes away', () => cluster.stop('api', 1)],
];

await manager.start();
console.log(`${stamp()} metrics at ${manager.opsUrl}/metrics (while the demo runs)`);
for (const [what, act] of story) {
  console.log(`${stamp()} -- ${what}`);
  act();
  await sleep(clock, 700);
}
console.log(`${stamp()} final census: ${JSON.stringify(board.snapshot())}`);
const { graceful } = await manager.stop();
process.exit(graceful ? 0 : 4);
