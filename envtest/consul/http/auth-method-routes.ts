/**
 * Auth method and binding rule endpoints: PUT /v1/acl/auth-method, GET/PUT/DELETE
 * /v1/acl/auth-method/:name, GET /v1/acl/auth-methods, PUT /v1/acl/binding-rule, GET/PUT/DELETE
 * /v1/acl/binding-rule/:id, GET /v1/acl/binding-rules?authmethod=.
 *
 * Invariants: writes need acl:write, reads acl:read; enterprise requests take partition and
 * namespace from the query or body, as the other ACL objects do.
 */
import {
  deleteAuthMethod,
  deleteBindingRule,
  listAuthMethods,
  listBindingRules,
  readAuthMethod,
  readBindingRule,
  renderAuthMethod,
  renderBindingRule,
  writeAuthMethod,
  writeBindingRule,
} from '../acl/auth-methods.js';
import { authMethodSchema, bindingRuleSchema } from '../acl/schemas.js';
import { scopeWithBody } from '../scope.js';
import { json } from './reply.js';
import { type RequestContext } from './request-context.js';
import { queryReply, type Route } from './route.js';

async function decoded(ctx: RequestContext, kind: 'method' | 'rule') {
  const scope = ctx.scope();
  const { enterprise } = ctx.runtime;
  const body = await ctx.decode(
    kind === 'method' ? authMethodSchema(enterprise) : bindingRuleSchema(enterprise),
    kind === 'method' ? 'AuthMethod decoding failed' : 'BindingRule decoding failed',
  );
  return { body, scope: ctx.writable(enterprise ? scopeWithBody(scope, body) : scope) };
}

const methodsIndex = (ctx: RequestContext) => ctx.runtime.state.tableIndex('acl-auth-methods');
const rulesIndex = (ctx: RequestContext) => ctx.runtime.state.tableIndex('acl-binding-rules');

export function authMethodRoutes(): Route[] {
  return [
    {
      pattern: /^\/v1\/acl\/auth-method$/,
      methods: {
        PUT: {
          operation: 'acl.authMethod.create',
          async handle(ctx) {
            const { body, scope } = await decoded(ctx, 'method');
            ctx.authorizer(scope).require('acl', 'write');
            const acl = ctx.acl();
            return json(renderAuthMethod(acl, writeAuthMethod(acl, body, scope)));
          },
        },
      },
    },
    {
      pattern: /^\/v1\/acl\/auth-method\/([^/]+)$/,
      methods: {
        GET: {
          operation: 'acl.authMethod.read',
          handle(ctx, [name]) {
            ctx.resource = name;
            const scope = ctx.scope();
            ctx.authorizer().require('acl', 'read');
            return queryReply(ctx, () => {
              const acl = ctx.acl();
              return {
                index: methodsIndex(ctx),
                value: renderAuthMethod(acl, readAuthMethod(acl, name!, scope)),
              };
            });
          },
        },
        PUT: {
          operation: 'acl.authMethod.update',
          async handle(ctx, [name]) {
            ctx.resource = name;
            const { body, scope } = await decoded(ctx, 'method');
            ctx.authorizer(scope).require('acl', 'write');
            const acl = ctx.acl();
            return json(renderAuthMethod(acl, writeAuthMethod(acl, body, scope, name)));
          },
        },
        DELETE: {
          operation: 'acl.authMethod.delete',
          handle(ctx, [name]) {
            ctx.resource = name;
            const scope = ctx.scope();
            ctx.authorizer().require('acl', 'write');
            deleteAuthMethod(ctx.acl(), name!, scope);
            return json(true);
          },
        },
      },
    },
    {
      pattern: /^\/v1\/acl\/auth-methods$/,
      methods: {
        GET: {
          operation: 'acl.authMethods.list',
          handle(ctx) {
            const scope = ctx.scope();
            ctx.authorizer().require('acl', 'read');
            return queryReply(ctx, () => {
              const acl = ctx.acl();
              return {
                index: methodsIndex(ctx),
                value: listAuthMethods(acl, scope).map((m) => renderAuthMethod(acl, m)),
              };
            });
          },
        },
      },
    },
    {
      pattern: /^\/v1\/acl\/binding-rule$/,
      methods: {
        PUT: {
          operation: 'acl.bindingRule.create',
          async handle(ctx) {
            const { body, scope } = await decoded(ctx, 'rule');
            ctx.authorizer(scope).require('acl', 'write');
            const acl = ctx.acl();
            return json(renderBindingRule(acl, writeBindingRule(acl, body, scope)));
          },
        },
      },
    },
    {
      pattern: /^\/v1\/acl\/binding-rule\/([^/]+)$/,
      methods: {
        GET: {
          operation: 'acl.bindingRule.read',
          handle(ctx, [id]) {
            ctx.resource = id;
            const scope = ctx.scope();
            ctx.authorizer().require('acl', 'read');
            return queryReply(ctx, () => {
              const acl = ctx.acl();
              return {
                index: rulesIndex(ctx),
                value: renderBindingRule(acl, readBindingRule(acl, id!, scope)),
              };
            });
          },
        },
        PUT: {
          operation: 'acl.bindingRule.update',
          async handle(ctx, [id]) {
            ctx.resource = id;
            const { body, scope } = await decoded(ctx, 'rule');
            ctx.authorizer(scope).require('acl', 'write');
            const acl = ctx.acl();
            return json(renderBindingRule(acl, writeBindingRule(acl, body, scope, id)));
          },
        },
        DELETE: {
          operation: 'acl.bindingRule.delete',
          handle(ctx, [id]) {
            ctx.resource = id;
            const scope = ctx.scope();
            ctx.authorizer().require('acl', 'write');
            deleteBindingRule(ctx.acl(), id!, scope);
            return json(true);
          },
        },
      },
    },
    {
      pattern: /^\/v1\/acl\/binding-rules$/,
      methods: {
        GET: {
          operation: 'acl.bindingRules.list',
          handle(ctx) {
            const scope = ctx.scope();
            ctx.authorizer().require('acl', 'read');
            const authMethod = ctx.query.get('authmethod') ?? '';
            return queryReply(ctx, () => {
              const acl = ctx.acl();
              return {
                index: rulesIndex(ctx),
                value: listBindingRules(acl, scope, authMethod).map((rule) => renderBindingRule(acl, rule)),
              };
            });
          },
        },
      },
    },
  ];
}
