/**
 * Tagging operations: TagResource (merge by Key) and UntagResource (remove by Key).
 *
 * Invariants:
 * - Both answer `{}` and work on secrets scheduled for deletion too.
 * - An unknown secret is ResourceNotFoundException.
 */
import { type OperationHandler } from '../../aws/json-protocol.js';
import { invalidParameter } from '../errors.js';
import { type SecretStore } from '../store.js';
import { mergeTags, readTags, reader, requireSecret } from './common.js';

export function taggingOperations(store: SecretStore): Record<string, OperationHandler> {
  return {
    TagResource: (input) => {
      const request = reader(input);
      const secret = requireSecret(store, request);
      const tags = readTags(request.objects('Tags'));
      if (tags.length === 0) throw invalidParameter('You must provide at least one tag.');
      secret.tags = mergeTags(secret.tags, tags);
      return {};
    },

    UntagResource: (input) => {
      const request = reader(input);
      const secret = requireSecret(store, request);
      const keys = request.strings('TagKeys') ?? [];
      secret.tags = secret.tags.filter((tag) => !keys.includes(tag.Key));
      return {};
    },
  };
}
