// Builds the real container for the example controller on an in-process task source.
import { type Container } from 'inversify';
import { BehaviorSubject, filter, firstValueFrom, map } from 'rxjs';

import { type ExampleTask } from '../../examples/task-census/task.js';
import { taskCensusModule } from '../../examples/task-census/module.js';
import { createContainer } from '../../src/di/container.js';
import { frameworkModule, type FrameworkSettings } from '../../src/di/framework-module.js';

/** A task source whose next list answers only once `publish` has been called at least once. */
export class GatedTaskSource {
  private readonly tasks = new BehaviorSubject<ExampleTask[] | undefined>(undefined);

  publish(tasks: ExampleTask[]): void {
    this.tasks.next(tasks);
  }

  list = () =>
    firstValueFrom(
      this.tasks.pipe(
        filter((tasks): tasks is ExampleTask[] => tasks !== undefined),
        map((items) => ({ items })),
      ),
    );
}

export function exampleContainer(source: GatedTaskSource, settings: FrameworkSettings = {}): Container {
  return createContainer(
    frameworkModule({
      logLevel: 'error',
      ...settings,
      manager: { opsPort: 0, opsHost: '127.0.0.1', ...settings.manager },
    }),
    taskCensusModule({ tasks: source, pollPeriodMs: 60_000 }),
  );
}
