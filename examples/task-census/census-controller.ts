/**
 * TaskCensusController: an example controller plugin that uses the framework with no Consul at
 * all. Its key is a task family; reconciling a family counts the family's tasks in the informer's
 * store and records the count. It shows the three parts every controller has: a watch that maps
 * events to keys, a level-based reconciler that reads the store, and a plugin binding.
 */
import { inject, injectable } from 'inversify';

import { type Informer } from '../../src/cache/informer.js';
import { type AnyWatch } from '../../src/reconcile/watch.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type Reconciler } from '../../src/reconcile/reconciler.js';
import { CensusBoard } from './census-board.js';
import { BY_FAMILY, type ExampleTask, TASK_INFORMER } from './task.js';

@injectable()
export class TaskCensusController implements ControllerPlugin, Reconciler {
  readonly name = 'task-census';
  readonly maxConcurrentReconciles = 2;
  readonly reconciler: Reconciler = this;

  constructor(
    @inject(TASK_INFORMER) private readonly tasks: Informer<ExampleTask>,
    // Injected by its class type alone: this needs the emitted constructor parameter metadata.
    private readonly board: CensusBoard,
  ) {}

  watches(): readonly AnyWatch[] {
    return [{ source: this.tasks.events$, toKeys: (event) => [event.obj.family] }];
  }

  async reconcile(family: string): Promise<void> {
    this.board.record(family, this.tasks.store.indexKeys(BY_FAMILY, family).length);
  }
}
