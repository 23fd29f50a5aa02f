import { expect } from 'chai';

import { CensusBoard } from '../../examples/task-census/census-board.js';
import { TaskCensusController } from '../../examples/task-census/census-controller.js';
import { TYPES } from '../../src/di/types.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { type Manager } from '../../src/manager/manager.js';
import { exampleContainer, GatedTaskSource } from '../helpers/example-container.js';

describe('the real container (inversify 8, legacy decorators, emitted parameter metadata)', () => {
  it('resolves the manager and every controller plugin collected with multiInject', () => {
    const container = exampleContainer(new GatedTaskSource());
    const manager = container.get<Manager>(TYPES.Manager);
    const plugins = container.getAll<ControllerPlugin>(TYPES.ControllerPlugin);
    expect(plugins.map((plugin) => plugin.name)).to.deep.equal(['task-census']);
    expect(manager.controllers.map((controller) => controller.name)).to.deep.equal(['task-census']);
  });

  it('injects a constructor parameter by its class type alone, through emitted metadata', () => {
    const container = exampleContainer(new GatedTaskSource());
    const controller = container.getAll<ControllerPlugin>(TYPES.ControllerPlugin)[0];
    expect(controller).to.be.instanceOf(TaskCensusController);
    const types = Reflect.getMetadata('design:paramtypes', TaskCensusController) as unknown[];
    expect(types[1]).to.equal(CensusBoard);
    expect((controller as unknown as { board: unknown }).board).to.equal(container.get(CensusBoard));
  });

  it('keeps two containers fully independent (no global registry or singleton)', () => {
    const a = exampleContainer(new GatedTaskSource());
    const b = exampleContainer(new GatedTaskSource());
    expect(a.get(TYPES.Registry)).to.not.equal(b.get(TYPES.Registry));
    expect(a.get(TYPES.Manager)).to.not.equal(b.get(TYPES.Manager));
  });
});
