/**
 * SimulatedCluster: an in-process stand-in for an ECS cluster's task list, for the demo.
 * Tasks get increasing ARNs; a stopped task leaves the running list at once.
 */
import { defer, of } from 'rxjs';

import { type ExampleTask } from './task.js';

export class SimulatedCluster {
  private readonly running = new Map<string, ExampleTask>();
  private nextId = 1;

  start(family: string, count: number): void {
    for (let i = 0; i < count; i++) {
      const taskArn = `arn:aws:ecs:us-east-1:111122223333:task/demo/${String(this.nextId++).padStart(6, '0')}`;
      this.running.set(taskArn, { taskArn, family, version: 1 });
    }
  }

  stop(family: string, count: number): void {
    const victims = [...this.running.values()].filter((task) => task.family === family).slice(0, count);
    for (const task of victims) this.running.delete(task.taskArn);
  }

  readonly list = () => defer(() => of({ items: [...this.running.values()] }));
}
