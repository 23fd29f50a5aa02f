/**
 * Catalog endpoints: register, deregister, services, service/:name, nodes, node/:node.
 *
 * Invariants:
 * - Registering needs node:write on the node and service:write on the service; deregistering a
 *   service needs service:write on it, a node node:write.
 * - Reads are filtered to what the token may read (node:read, service:read), as Consul filters.
 */
import {
  allServices,
  deregisterCatalog,
  deregisterSchema,
  planRegistration,
  registerCatalog,
  registerSchema,
  renderAgentService,
  renderNode,
  renderServiceNode,
} from '../catalog.js';
import { scopeWithBody } from '../scope.js';
import { json } from './reply.js';
import { type RequestContext } from './request-context.js';
import { queryReply, type Route } from './route.js';

function catalogIndex(ctx: RequestContext): number {
  return ctx.runtime.state.tableIndex('nodes', 'services');
}

async function register(ctx: RequestContext) {
  let scope = ctx.scope();
  const { enterprise, state, datacenter } = ctx.runtime;
  const body = await ctx.decode(registerSchema(enterprise), 'Request decode failed');
  if (enterprise) scope = ctx.writable(scopeWithBody(scope, body));
  const plan = planRegistration(body);
  ctx.resource = plan.serviceName ?? plan.node;
  const authz = ctx.authorizer(scope);
  const nodeExists = state.nodes.has(plan.node);
  if (!(body['SkipNodeUpdate'] === true && nodeExists)) authz.requireResource('node', plan.node, 'write');
  if (plan.serviceName !== undefined) authz.requireResource('service', plan.serviceName, 'write');
  registerCatalog(state, body, datacenter, scope);
  return json(true);
}

async function deregister(ctx: RequestContext) {
  ctx.scope();
  const { enterprise, state, clock } = ctx.runtime;
  const body = await ctx.decode(deregisterSchema(enterprise), 'Request decode failed');
  const node = typeof body['Node'] === 'string' ? body['Node'] : '';
  const serviceId = typeof body['ServiceID'] === 'string' ? body['ServiceID'] : '';
  ctx.resource = serviceId || node;
  const authz = ctx.authorizer();
  if (serviceId !== '') {
    const service = state.services.get(node)?.get(serviceId);
    authz.requireResource('service', service?.service ?? serviceId, 'write');
  } else {
    authz.requireResource('node', node, 'write');
  }
  deregisterCatalog(state, body, clock.now());
  return json(true);
}

export function catalogRoutes(): Route[] {
  return [
    {
      pattern: /^\/v1\/catalog\/register$/,
      methods: { PUT: { operation: 'catalog.register', handle: register } },
    },
    {
      pattern: /^\/v1\/catalog\/deregister$/,
      methods: { PUT: { operation: 'catalog.deregister', handle: deregister } },
    },
    {
      pattern: /^\/v1\/catalog\/services$/,
      methods: {
        GET: {
          operation: 'catalog.services',
          handle(ctx) {
            const scope = ctx.scope();
            const authz = ctx.authorizer();
            return queryReply(ctx, () => {
              const byName: Record<string, string[]> = {};
              for (const service of allServices(ctx.runtime.state, scope)) {
                if (!authz.canResource('service', service.service, 'read')) continue;
                const tags = new Set([...(byName[service.service] ?? []), ...service.tags]);
                byName[service.service] = [...tags];
              }
              return { index: catalogIndex(ctx), value: byName };
            });
          },
        },
      },
    },
    {
      pattern: /^\/v1\/catalog\/service\/([^/]+)$/,
      methods: {
        GET: {
          operation: 'catalog.service',
          handle(ctx, [name]) {
            ctx.resource = name;
            const scope = ctx.scope();
            const authz = ctx.authorizer();
            const tag = ctx.query.get('tag');
            return queryReply(ctx, () => {
              const { state, enterprise } = ctx.runtime;
              const value = authz.canResource('service', name!, 'read')
                ? allServices(state, scope)
                    .filter((service) => service.service === name)
                    .filter((service) => tag === null || service.tags.includes(tag))
                    .filter((service) => authz.canResource('node', service.node, 'read'))
                    .map((service) => renderServiceNode(state, service, enterprise))
                : [];
              return { index: catalogIndex(ctx), value };
            });
          },
        },
      },
    },
    {
      pattern: /^\/v1\/catalog\/nodes$/,
      methods: {
        GET: {
          operation: 'catalog.nodes',
          handle(ctx) {
            ctx.scope();
            const authz = ctx.authorizer();
            return queryReply(ctx, () => ({
              index: catalogIndex(ctx),
              value: [...ctx.runtime.state.nodes.values()]
                .filter((node) => authz.canResource('node', node.node, 'read'))
                .sort((a, b) => a.node.localeCompare(b.node))
                .map(renderNode),
            }));
          },
        },
      },
    },
    {
      pattern: /^\/v1\/catalog\/node\/([^/]+)$/,
      methods: {
        GET: {
          operation: 'catalog.node',
          handle(ctx, [nodeName]) {
            ctx.resource = nodeName;
            const scope = ctx.scope();
            const authz = ctx.authorizer();
            return queryReply(ctx, () => {
              const { state, enterprise } = ctx.runtime;
              const node = state.nodes.get(nodeName!);
              if (!node || !authz.canResource('node', node.node, 'read'))
                return { index: catalogIndex(ctx), value: null };
              const services: Record<string, unknown> = {};
              for (const service of state.services.get(node.node)?.values() ?? []) {
                if (
                  service.scope.partition !== scope.partition ||
                  service.scope.namespace !== scope.namespace
                )
                  continue;
                if (authz.canResource('service', service.service, 'read')) {
                  services[service.id] = renderAgentService(service, enterprise);
                }
              }
              return { index: catalogIndex(ctx), value: { Node: renderNode(node), Services: services } };
            });
          },
        },
      },
    },
  ];
}
