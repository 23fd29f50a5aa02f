/**
 * ACL endpoints: /v1/acl/bootstrap, token(s), policy/policies, role(s).
 *
 * Invariants:
 * - Checks run in Consul's order: enterprise parameters, body decoding, request token, permission,
 *   then validation and the write.
 * - Writes need acl:write, reads acl:read; `token/self` only needs the token to exist.
 * - SecretIDs are shown as "<hidden>" to callers without acl:write, and never become the logged resource.
 */
import {
  bootstrapAcl,
  cloneToken,
  createToken,
  deleteToken,
  listTokens,
  readToken,
  readTokenBySecret,
  renderToken,
  renderTokenStub,
  updateToken,
} from '../acl/tokens.js';
import {
  createPolicy,
  deletePolicy,
  listPolicies,
  readPolicy,
  readPolicyByName,
  renderPolicy,
  renderPolicyStub,
  updatePolicy,
} from '../acl/policies.js';
import {
  createRole,
  deleteRole,
  listRoles,
  readRole,
  readRoleByName,
  renderRole,
  updateRole,
} from '../acl/roles.js';
import { type AclPolicy, type AclRole } from '../acl/model.js';
import { policySchema, roleSchema, tokenSchema } from '../acl/schemas.js';
import { badRequest } from '../errors.js';
import { scopeWithBody } from '../scope.js';
import {
  type AclObjectKind,
  createRoute,
  deleteMethod,
  readByNameRoute,
  readMethod,
} from './acl-object-routes.js';
import { json } from './reply.js';
import { type RequestContext } from './request-context.js';
import { queryReply, type Route } from './route.js';

async function decodeScoped(ctx: RequestContext, kind: 'token' | 'policy' | 'role') {
  const scope = ctx.scope();
  const enterprise = ctx.runtime.enterprise;
  const [schema, prefix] =
    kind === 'token'
      ? [tokenSchema(enterprise), 'Token decoding failed']
      : kind === 'policy'
        ? [policySchema(enterprise), 'Policy decoding failed']
        : [roleSchema(enterprise), 'Role decoding failed'];
  const body = await ctx.decode(schema, prefix);
  return { body, scope: ctx.writable(enterprise ? scopeWithBody(scope, body) : scope) };
}

function tokenIndex(ctx: RequestContext): number {
  return ctx.runtime.state.tableIndex('acl-tokens');
}

const tokenRoutes: Route[] = [
  {
    pattern: /^\/v1\/acl\/bootstrap$/,
    methods: {
      PUT: {
        operation: 'acl.bootstrap',
        async handle(ctx) {
          await ctx.rawBody();
          const acl = ctx.acl();
          const token = bootstrapAcl(acl);
          ctx.resource = token.accessorId;
          return json({ ID: token.secretId, ...renderToken(acl, token) });
        },
      },
    },
  },
  {
    pattern: /^\/v1\/acl\/token$/,
    methods: {
      PUT: {
        operation: 'acl.token.create',
        async handle(ctx) {
          const { body, scope } = await decodeScoped(ctx, 'token');
          if (typeof body['AccessorID'] === 'string' && body['AccessorID'] !== '')
            ctx.resource = body['AccessorID'];
          ctx.authorizer(scope).require('acl', 'write');
          const acl = ctx.acl();
          const token = createToken(acl, body, scope);
          ctx.resource = token.accessorId;
          return json(renderToken(acl, token));
        },
      },
    },
  },
  {
    pattern: /^\/v1\/acl\/token\/([^/]+)\/clone$/,
    methods: {
      PUT: {
        operation: 'acl.token.clone',
        async handle(ctx, [accessorId]) {
          ctx.resource = accessorId;
          const { body, scope } = await decodeScoped(ctx, 'token');
          ctx.authorizer(scope).require('acl', 'write');
          const acl = ctx.acl();
          const token = cloneToken(acl, accessorId!, body, scope);
          ctx.resource = token.accessorId;
          return json(renderToken(acl, token));
        },
      },
    },
  },
  {
    pattern: /^\/v1\/acl\/token\/self$/,
    methods: {
      GET: {
        operation: 'acl.token.self',
        handle(ctx) {
          ctx.scope();
          const secret = ctx.secret();
          return queryReply(ctx, () => {
            const acl = ctx.acl();
            const token = readTokenBySecret(acl, secret);
            ctx.resource = token.accessorId;
            return { index: tokenIndex(ctx), value: renderToken(acl, token) };
          });
        },
      },
    },
  },
  {
    pattern: /^\/v1\/acl\/token\/([^/]+)$/,
    methods: {
      GET: {
        operation: 'acl.token.read',
        handle(ctx, [accessorId]) {
          ctx.resource = accessorId;
          const scope = ctx.scope();
          const authz = ctx.authorizer();
          authz.require('acl', 'read');
          const showSecret = authz.can('acl', 'write');
          return queryReply(ctx, () => {
            const acl = ctx.acl();
            const token = readToken(acl, accessorId!, scope);
            return { index: tokenIndex(ctx), value: renderTokenStub(acl, token, showSecret) };
          });
        },
      },
      PUT: {
        operation: 'acl.token.update',
        async handle(ctx, [accessorId]) {
          ctx.resource = accessorId;
          const { body, scope } = await decodeScoped(ctx, 'token');
          ctx.authorizer(scope).require('acl', 'write');
          const acl = ctx.acl();
          return json(renderToken(acl, updateToken(acl, accessorId!, body, scope)));
        },
      },
      DELETE: {
        operation: 'acl.token.delete',
        handle(ctx, [accessorId]) {
          ctx.resource = accessorId;
          const scope = ctx.scope();
          const caller = ctx.requestToken();
          ctx.authorizer().require('acl', 'write');
          deleteToken(ctx.acl(), accessorId!, scope, caller.accessorId);
          return json(true);
        },
      },
    },
  },
  {
    pattern: /^\/v1\/acl\/tokens$/,
    methods: {
      GET: {
        operation: 'acl.tokens.list',
        handle(ctx) {
          const scope = ctx.scope();
          if (!ctx.runtime.enterprise && ctx.query.get('authmethod-ns')) {
            throw badRequest(
              'Invalid query parameter: "authmethod-ns" - Namespaces are a Consul Enterprise feature',
            );
          }
          const authz = ctx.authorizer();
          authz.require('acl', 'read');
          const showSecret = authz.can('acl', 'write');
          const filters = {
            policy: ctx.query.get('policy') ?? '',
            role: ctx.query.get('role') ?? '',
            authMethod: ctx.query.get('authmethod') ?? '',
            // Consul 1.14 accepts `servicename` but does not filter by it (checked on 1.14.8).
            serviceName: ctx.runtime.version === '1.14' ? '' : (ctx.query.get('servicename') ?? ''),
          };
          ctx.resource = filters.policy || filters.role || filters.serviceName || undefined;
          return queryReply(ctx, () => {
            const acl = ctx.acl();
            return {
              index: tokenIndex(ctx),
              value: listTokens(acl, scope, filters).map((token) => renderTokenStub(acl, token, showSecret)),
            };
          });
        },
      },
    },
  },
];

const policies: AclObjectKind<AclPolicy> = {
  kind: 'policy',
  decode: (ctx) => decodeScoped(ctx, 'policy'),
  index: (ctx) => ctx.runtime.state.tableIndex('acl-policies'),
  render: renderPolicy,
  create: createPolicy,
  read: readPolicy,
  readByName: readPolicyByName,
  remove: deletePolicy,
};

const policyRoutes: Route[] = [
  createRoute(policies),
  readByNameRoute(policies),
  {
    pattern: /^\/v1\/acl\/policy\/([^/]+)$/,
    methods: {
      GET: readMethod(policies),
      PUT: {
        operation: 'acl.policy.update',
        async handle(ctx, [id]) {
          ctx.resource = id;
          const { body, scope } = await decodeScoped(ctx, 'policy');
          if (typeof body['Name'] === 'string') ctx.resource = body['Name'];
          ctx.authorizer(scope).require('acl', 'write');
          const acl = ctx.acl();
          return json(renderPolicy(acl, updatePolicy(acl, id!, body, scope)));
        },
      },
      DELETE: deleteMethod(policies),
    },
  },
  {
    pattern: /^\/v1\/acl\/policies$/,
    methods: {
      GET: {
        operation: 'acl.policies.list',
        handle(ctx) {
          const scope = ctx.scope();
          ctx.authorizer().require('acl', 'read');
          return queryReply(ctx, () => {
            const acl = ctx.acl();
            return {
              index: policies.index(ctx),
              value: listPolicies(acl, scope).map((p) => renderPolicyStub(acl, p)),
            };
          });
        },
      },
    },
  },
];

const roles: AclObjectKind<AclRole> = {
  kind: 'role',
  decode: (ctx) => decodeScoped(ctx, 'role'),
  index: (ctx) => ctx.runtime.state.tableIndex('acl-roles'),
  render: renderRole,
  create: createRole,
  read: readRole,
  readByName: readRoleByName,
  remove: deleteRole,
};

const roleRoutes: Route[] = [
  createRoute(roles),
  readByNameRoute(roles),
  {
    pattern: /^\/v1\/acl\/role\/([^/]+)$/,
    methods: {
      GET: readMethod(roles),
      PUT: {
        operation: 'acl.role.update',
        async handle(ctx, [id]) {
          ctx.resource = id;
          const { body, scope } = await decodeScoped(ctx, 'role');
          ctx.authorizer(scope).require('acl', 'write');
          const acl = ctx.acl();
          const role = updateRole(acl, id!, body, scope);
          ctx.resource = role.name;
          return json(renderRole(acl, role));
        },
      },
      DELETE: deleteMethod(roles),
    },
  },
  {
    pattern: /^\/v1\/acl\/roles$/,
    methods: {
      GET: {
        operation: 'acl.roles.list',
        handle(ctx) {
          const scope = ctx.scope();
          ctx.authorizer().require('acl', 'read');
          const policy = ctx.query.get('policy') ?? '';
          return queryReply(ctx, () => {
            const acl = ctx.acl();
            return {
              index: roles.index(ctx),
              value: listRoles(acl, scope, policy).map((r) => renderRole(acl, r)),
            };
          });
        },
      },
    },
  },
];

export function aclRoutes(): Route[] {
  return [...tokenRoutes, ...policyRoutes, ...roleRoutes];
}
