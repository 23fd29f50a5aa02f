/**
 * Tagging operations: TagResource, UntagResource, ListTagsForResource for clusters, services,
 * task definitions and tasks.
 *
 * Invariants:
 * - TagResource merges by key; UntagResource removes by key; both answer `{}`.
 * - A malformed ARN is InvalidParameterException; an unknown resource ResourceNotFoundException
 *   (ClusterNotFoundException when its cluster is unknown); a stopped task cannot be tagged.
 */
import { type OperationHandler } from '../../aws/json-protocol.js';
import { parseEcsArn } from '../arns.js';
import { clusterNotFound, invalidParameter, resourceNotFound } from '../errors.js';
import { type Tag } from '../model.js';
import { type EcsState } from '../state.js';
import { checkUserTags, copyTags, mergeTags, readTags, removeTags } from '../tags.js';
import { reader } from './common.js';

function requireTaggable(state: EcsState, resourceArn: string): { tags: Tag[]; lastStatus?: string } {
  const parsed = parseEcsArn(resourceArn);
  const clusterScoped = ['cluster', 'service', 'task'].includes(parsed?.resourceType ?? '');
  if (parsed && clusterScoped && !state.findCluster(parsed.parts[0] ?? '')) throw clusterNotFound();
  const resource = state.findTaggable(resourceArn);
  if (!resource) throw resourceNotFound();
  return resource;
}

export function taggingOperations(state: EcsState): Record<string, OperationHandler> {
  return {
    TagResource: (input) => {
      const request = reader(input);
      const resource = requireTaggable(state, request.requiredString('resourceArn'));
      const tags = readTags(request.objects('tags'));
      if (tags.length === 0) throw invalidParameter('Tags cannot be empty.');
      checkUserTags(tags);
      if (resource.lastStatus === 'STOPPED') throw invalidParameter('The specified task is stopped.');
      resource.tags = mergeTags(resource.tags, tags);
      return {};
    },

    UntagResource: (input) => {
      const request = reader(input);
      const resource = requireTaggable(state, request.requiredString('resourceArn'));
      const keys = request.strings('tagKeys') ?? [];
      resource.tags = removeTags(resource.tags, keys);
      return {};
    },

    ListTagsForResource: (input) => {
      const request = reader(input);
      const resource = requireTaggable(state, request.requiredString('resourceArn'));
      return { tags: copyTags(resource.tags) };
    },
  };
}
