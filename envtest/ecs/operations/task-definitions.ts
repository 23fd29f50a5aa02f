/**
 * Task definition operations: RegisterTaskDefinition, DescribeTaskDefinition.
 *
 * Invariants:
 * - Each registration of a family adds the next revision, starting at 1.
 * - Every container definition has a name and an image (ClientException otherwise, as ECS says).
 * - Tags are returned only with `include: ["TAGS"]` on describe, and always on register.
 */
import { type OperationHandler } from '../../aws/json-protocol.js';
import { clientException } from '../errors.js';
import { includesTags, taskDefinitionShape } from '../shapes.js';
import { type EcsState } from '../state.js';
import { checkUserTags, copyTags, readTags } from '../tags.js';
import { reader } from './common.js';

export function taskDefinitionOperations(state: EcsState): Record<string, OperationHandler> {
  return {
    RegisterTaskDefinition: (input) => {
      const request = reader(input);
      const family = request.requiredString('family');
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(family)) {
        throw clientException('Family contains invalid characters or is too long.');
      }
      const containerDefinitions = request.objects('containerDefinitions') ?? [];
      if (containerDefinitions.length === 0) throw clientException('Container list cannot be empty.');
      for (const container of containerDefinitions) {
        if (typeof container.name !== 'string' || container.name === '') {
          throw clientException('Container.name should not be null or empty.');
        }
        if (typeof container.image !== 'string' || container.image === '') {
          throw clientException('Container.image should not be null or empty.');
        }
      }
      const tags = readTags(request.objects('tags'));
      checkUserTags(tags);
      const { tags: _tags, ...definition } = structuredClone(input);
      const taskDefinition = state.registerTaskDefinition(
        family,
        definition,
        structuredClone(containerDefinitions),
        tags,
      );
      return { taskDefinition: taskDefinitionShape(taskDefinition), tags: copyTags(taskDefinition.tags) };
    },

    DescribeTaskDefinition: (input) => {
      const request = reader(input);
      const taskDefinition = state.findTaskDefinition(request.requiredString('taskDefinition'));
      if (!taskDefinition) throw clientException('Unable to describe task definition.');
      const output: Record<string, unknown> = { taskDefinition: taskDefinitionShape(taskDefinition) };
      if (includesTags(request.strings('include'))) output.tags = copyTags(taskDefinition.tags);
      return output;
    },
  };
}
