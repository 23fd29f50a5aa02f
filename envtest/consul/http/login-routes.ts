/**
 * `POST /v1/acl/login` and `POST /v1/acl/logout` (see acl/login.ts): a login needs no token (the
 * bearer is the credential) and answers the new token with its SecretID, as Consul does; a
 * logout deletes the request's own token and answers `true`.
 */
import { login, logout } from '../acl/login.js';
import { loginSchema } from '../acl/schemas.js';
import { renderToken } from '../acl/tokens.js';
import { scopeWithBody } from '../scope.js';
import { json } from './reply.js';
import { type Route } from './route.js';

export const loginRoutes: Route[] = [
  {
    pattern: /^\/v1\/acl\/login$/,
    methods: {
      POST: {
        operation: 'acl.login',
        async handle(ctx) {
          const { enterprise } = ctx.runtime;
          const body = await ctx.decode(loginSchema(enterprise), 'Failed to decode request body');
          const scope = enterprise ? scopeWithBody(ctx.scope(), body) : ctx.scope();
          const acl = ctx.acl();
          const token = login(acl, body, scope, ctx.runtime.state.iamIdentities);
          ctx.resource = token.accessorId;
          return json(renderToken(acl, token));
        },
      },
    },
  },
  {
    pattern: /^\/v1\/acl\/logout$/,
    methods: {
      POST: {
        operation: 'acl.logout',
        async handle(ctx) {
          await ctx.rawBody();
          const token = logout(ctx.acl(), ctx.secret());
          ctx.resource = token.accessorId;
          return json(true);
        },
      },
    },
  },
];
