/**
 * Cluster operations: CreateCluster, ListClusters, DescribeClusters.
 *
 * Invariants:
 * - CreateCluster is idempotent by name: an ACTIVE cluster of that name is returned unchanged.
 * - DescribeClusters reports unknown clusters in `failures` with reason MISSING.
 */
import { type OperationHandler } from '../../aws/json-protocol.js';
import { clusterNameOf } from '../arns.js';
import { clusterShape, includesTags } from '../shapes.js';
import { type EcsState } from '../state.js';
import { checkUserTags, readTags } from '../tags.js';
import { maxResultsOf, page, reader, withNextToken } from './common.js';

export function clusterOperations(state: EcsState): Record<string, OperationHandler> {
  return {
    CreateCluster: (input) => {
      const request = reader(input);
      const tags = readTags(request.objects('tags'));
      checkUserTags(tags);
      const cluster = state.createCluster(request.string('clusterName') || 'default', tags);
      return { cluster: clusterShape(state, cluster, true) };
    },

    ListClusters: (input) => {
      const request = reader(input);
      const active = [...state.clusters.values()]
        .filter((c) => c.status === 'ACTIVE')
        .sort((a, b) => a.seq - b.seq);
      const { items, nextToken } = page(active, maxResultsOf(request, 100, 100), request.string('nextToken'));
      return withNextToken({ clusterArns: items.map((cluster) => cluster.arn) }, nextToken);
    },

    DescribeClusters: (input) => {
      const request = reader(input);
      const includeTags = includesTags(request.strings('include'));
      const references = request.strings('clusters') ?? ['default'];
      const clusters = [];
      const failures = [];
      for (const reference of references) {
        const cluster = state.findCluster(reference);
        if (cluster) clusters.push(clusterShape(state, cluster, includeTags));
        else failures.push({ arn: state.arns.cluster(clusterNameOf(reference)), reason: 'MISSING' });
      }
      return { clusters, failures };
    },
  };
}
