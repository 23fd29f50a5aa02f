/**
 * ListSecrets: filtered, paged listing of secret metadata.
 *
 * Invariants:
 * - Secrets scheduled for deletion are listed only with IncludePlannedDeletion.
 * - Pages hold at most MaxResults (1..100, default 100) entries in creation order (reversed for
 *   SortOrder desc); NextToken continues exactly where the last page ended.
 * - Entries never contain a secret value.
 */
import { type OperationHandler } from '../../aws/json-protocol.js';
import { paginate } from '../../aws/pagination.js';
import { invalidNextToken, invalidParameter } from '../errors.js';
import { matchesFilters, readFilters } from '../filters.js';
import { listEntryShape } from '../shapes.js';
import { type SecretStore } from '../store.js';
import { reader } from './common.js';

export function listingOperations(store: SecretStore): Record<string, OperationHandler> {
  return {
    ListSecrets: (input) => {
      const request = reader(input);
      const maxResults = request.number('MaxResults') ?? 100;
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
        throw invalidParameter('MaxResults must be between 1 and 100.');
      }
      const sortOrder = request.string('SortOrder') ?? 'asc';
      if (sortOrder !== 'asc' && sortOrder !== 'desc')
        throw invalidParameter('SortOrder must be asc or desc.');
      const includePlannedDeletion = request.boolean('IncludePlannedDeletion') ?? false;
      const filters = readFilters(request.objects('Filters'));
      const matching = store
        .all()
        .filter((secret) => includePlannedDeletion || secret.deletedAt === undefined)
        .filter((secret) => matchesFilters(secret, filters));
      // Descending order pages by negated sequence so tokens stay monotonic.
      const ordered = sortOrder === 'asc' ? matching : matching.reverse();
      const seqOf = sortOrder === 'asc' ? (s: { seq: number }) => s.seq : (s: { seq: number }) => -s.seq;
      const page = paginate(ordered, seqOf, maxResults, request.string('NextToken'), invalidNextToken);
      return {
        SecretList: page.items.map(listEntryShape),
        ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
      };
    },
  };
}
