/**
 * Admin partition endpoints (Enterprise only): PUT /v1/partition, GET /v1/partition/:name,
 * GET /v1/partitions.
 *
 * Invariants:
 * - On a CE server these paths do not exist (404), as in Consul CE.
 * - Creating needs operator:write; reads need a valid token. A missing partition reads as 404.
 */
import { notFound } from '../errors.js';
import { ANY, STRING, type StructSchema } from '../json-body.js';
import { createPartition, getPartition, listPartitions, renderPartition } from '../partitions.js';
import { json } from './reply.js';
import { type RequestContext } from './request-context.js';
import { queryReply, type Route } from './route.js';

const PARTITION_SCHEMA: StructSchema = {
  structName: 'Partition',
  fields: { Name: STRING, Description: STRING, CreateIndex: ANY, ModifyIndex: ANY, DeletedAt: ANY },
};

function requireEnterprise(ctx: RequestContext): void {
  if (!ctx.runtime.enterprise) throw notFound('404 page not found\n');
}

const partitionIndex = (ctx: RequestContext) => ctx.runtime.state.tableIndex('partitions');

export function partitionRoutes(): Route[] {
  return [
    {
      pattern: /^\/v1\/partition$/,
      methods: {
        PUT: {
          operation: 'partition.create',
          async handle(ctx) {
            requireEnterprise(ctx);
            const body = await ctx.decode(PARTITION_SCHEMA, 'Request decode failed');
            const name = typeof body['Name'] === 'string' ? body['Name'] : '';
            ctx.resource = name;
            ctx.authorizer().require('operator', 'write');
            const description = typeof body['Description'] === 'string' ? body['Description'] : '';
            return json(renderPartition(createPartition(ctx.runtime.state, name, description)));
          },
        },
      },
    },
    {
      pattern: /^\/v1\/partition\/([^/]+)$/,
      methods: {
        GET: {
          operation: 'partition.read',
          handle(ctx, [name]) {
            requireEnterprise(ctx);
            ctx.resource = name;
            ctx.requestToken();
            return queryReply(
              ctx,
              () => {
                const partition = getPartition(ctx.runtime.state, name!);
                return { index: partitionIndex(ctx), value: partition ? renderPartition(partition) : null };
              },
              (value) => (value === null ? { status: 404, raw: '' } : { json: value }),
            );
          },
        },
      },
    },
    {
      pattern: /^\/v1\/partitions$/,
      methods: {
        GET: {
          operation: 'partitions.list',
          handle(ctx) {
            requireEnterprise(ctx);
            ctx.requestToken();
            return queryReply(ctx, () => ({
              index: partitionIndex(ctx),
              value: listPartitions(ctx.runtime.state).map(renderPartition),
            }));
          },
        },
      },
    },
  ];
}
