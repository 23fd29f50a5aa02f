/**
 * Namespace endpoints (Enterprise only): PUT /v1/namespace, GET/PUT/DELETE /v1/namespace/:name,
 * GET /v1/namespaces.
 *
 * Invariants:
 * - On a CE server these paths do not exist (404), as in Consul CE.
 * - Writes need operator:write; reads need a valid token (the emulator does not filter by
 *   namespace read rules).
 */
import { notFound } from '../errors.js';
import {
  deleteNamespace,
  ensureDefaultNamespace,
  getNamespace,
  listNamespaces,
  NAMESPACE_SCHEMA,
  renderNamespace,
  writeNamespace,
} from '../namespaces.js';
import { json } from './reply.js';
import { type RequestContext } from './request-context.js';
import { queryReply, type Route } from './route.js';

function requireEnterprise(ctx: RequestContext): void {
  if (!ctx.runtime.enterprise) throw notFound('404 page not found\n');
}

async function write(ctx: RequestContext, urlName: string | undefined) {
  requireEnterprise(ctx);
  const scope = ctx.scope();
  const body = await ctx.decode(NAMESPACE_SCHEMA, 'Request decode failed');
  const partition =
    typeof body['Partition'] === 'string' && body['Partition'] !== '' ? body['Partition'] : scope.partition;
  ctx.resource = typeof body['Name'] === 'string' && body['Name'] !== '' ? body['Name'] : urlName;
  ctx.authorizer().require('operator', 'write');
  ensureDefaultNamespace(ctx.runtime.state, partition);
  const acl = ctx.acl();
  return json(renderNamespace(acl, writeNamespace(acl, partition, body, urlName)));
}

function namespaceIndex(ctx: RequestContext): number {
  return ctx.runtime.state.tableIndex('namespaces');
}

export function namespaceRoutes(): Route[] {
  return [
    {
      pattern: /^\/v1\/namespace$/,
      methods: { PUT: { operation: 'namespace.create', handle: (ctx) => write(ctx, undefined) } },
    },
    {
      pattern: /^\/v1\/namespace\/([^/]+)$/,
      methods: {
        GET: {
          operation: 'namespace.read',
          handle(ctx, [name]) {
            requireEnterprise(ctx);
            ctx.resource = name;
            const scope = ctx.scope();
            ctx.requestToken();
            ensureDefaultNamespace(ctx.runtime.state, scope.partition);
            return queryReply(
              ctx,
              () => {
                const namespace = getNamespace(ctx.runtime.state, scope.partition, name!);
                return {
                  index: namespaceIndex(ctx),
                  value: namespace ? renderNamespace(ctx.acl(), namespace) : null,
                };
              },
              (value) => (value === null ? { status: 404, raw: '' } : { json: value }),
            );
          },
        },
        PUT: { operation: 'namespace.update', handle: (ctx, [name]) => write(ctx, name) },
        DELETE: {
          operation: 'namespace.delete',
          handle(ctx, [name]) {
            requireEnterprise(ctx);
            ctx.resource = name;
            const scope = ctx.scope();
            ctx.authorizer().require('operator', 'write');
            deleteNamespace(ctx.runtime.state, scope.partition, name!);
            return json(true);
          },
        },
      },
    },
    {
      pattern: /^\/v1\/namespaces$/,
      methods: {
        GET: {
          operation: 'namespaces.list',
          handle(ctx) {
            requireEnterprise(ctx);
            const scope = ctx.scope();
            ctx.requestToken();
            ensureDefaultNamespace(ctx.runtime.state, scope.partition);
            return queryReply(ctx, () => ({
              index: namespaceIndex(ctx),
              value: listNamespaces(ctx.runtime.state, scope.partition).map((n) =>
                renderNamespace(ctx.acl(), n),
              ),
            }));
          },
        },
      },
    },
  ];
}
