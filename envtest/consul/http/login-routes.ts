/**
 * `POST /v1/acl/login` and `POST /v1/acl/logout` (see acl/login.ts).
 *
 * Invariants (agent/acl_endpoint.go `ACLLogin`/`ACLLogout`, Consul 1.14):
 * - A login takes no request token: the bearer is the credential, and an X-Consul-Token sent along
 *   is ignored (the handler never parses it), also for the Enterprise scope, which comes only from
 *   `ns`/`partition` (or headers) and the body's Namespace/Partition, else default. The answer is
 *   the new token with its SecretID. Body errors: 400 `Failed to decode request body: …`.
 * - A logout's only input is the request's own token; it answers `true`.
 */
import { login, logout } from '../acl/login.js';
import { loginSchema } from '../acl/schemas.js';
import { renderToken } from '../acl/tokens.js';
import { scopeFromRequest, scopeWithBody } from '../scope.js';
import { json } from './reply.js';
import { type Route } from './route.js';

export const loginRoutes: Route[] = [
  {
    pattern: /^\/v1\/acl\/login$/,
    methods: {
      POST: {
        operation: 'acl.login',
        async handle(ctx) {
          const { enterprise, state, datacenter } = ctx.runtime;
          const named = scopeFromRequest(ctx.query, ctx.req.headers, enterprise);
          const body = await ctx.decode(loginSchema(enterprise), 'Failed to decode request body');
          const scope = enterprise ? scopeWithBody(named, body) : named;
          const acl = ctx.acl();
          const token = login(acl, body, scope, { identities: state.iamIdentities, datacenter });
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
