/**
 * Session endpoints: /v1/session/create, renew, destroy, info, list, node.
 *
 * Invariants:
 * - Create, renew and destroy need session:write on the session's node; reads are filtered to the
 *   sessions whose node the token may read (Consul filters rather than denies).
 * - Renewing restarts the TTL timer; destroying cancels it and frees the session's locks.
 */
import { type Session } from '../session-model.js';
import { scopeWithBody } from '../scope.js';
import {
  createSession,
  getSession,
  invalidateSession,
  listSessions,
  renderSession,
  requireSession,
  sessionSchema,
} from '../sessions.js';
import { json } from './reply.js';
import { type RequestContext } from './request-context.js';
import { queryReply, type Route } from './route.js';

function readable(ctx: RequestContext, sessions: Session[]): Record<string, unknown>[] {
  const authz = ctx.authorizer();
  return sessions
    .filter((session) => authz.canResource('session', session.node, 'read'))
    .map((session) => renderSession(session, ctx.runtime.enterprise));
}

function sessionIndex(ctx: RequestContext): number {
  return ctx.runtime.state.tableIndex('sessions');
}

export function sessionRoutes(): Route[] {
  return [
    {
      pattern: /^\/v1\/session\/create$/,
      methods: {
        PUT: {
          operation: 'session.create',
          async handle(ctx) {
            let scope = ctx.scope();
            const body = await ctx.decode(
              sessionSchema(ctx.runtime.enterprise),
              'Request decode failed',
              true,
            );
            if (ctx.runtime.enterprise) scope = ctx.writable(scopeWithBody(scope, body));
            const node =
              typeof body['Node'] === 'string' && body['Node'] !== '' ? body['Node'] : ctx.runtime.nodeName;
            ctx.authorizer(scope).requireResource('session', node, 'write');
            const { runtime } = ctx;
            const session = createSession(runtime.state, body, scope, {
              defaultNode: runtime.nodeName,
              ttlMinMs: runtime.sessionTtlMinMs,
              newId: runtime.newId,
            });
            runtime.sessionTimers.arm(session.id);
            ctx.resource = session.id;
            return json({ ID: session.id });
          },
        },
      },
    },
    {
      pattern: /^\/v1\/session\/renew\/([^/]+)$/,
      methods: {
        PUT: {
          operation: 'session.renew',
          handle(ctx, [id]) {
            ctx.resource = id;
            ctx.scope();
            const authz = ctx.authorizer();
            const session = requireSession(ctx.runtime.state, id!);
            authz.requireResource('session', session.node, 'write');
            ctx.runtime.sessionTimers.arm(session.id);
            return json([renderSession(session, ctx.runtime.enterprise)]);
          },
        },
      },
    },
    {
      pattern: /^\/v1\/session\/destroy\/([^/]+)$/,
      methods: {
        PUT: {
          operation: 'session.destroy',
          handle(ctx, [id]) {
            ctx.resource = id;
            ctx.scope();
            const authz = ctx.authorizer();
            const session = getSession(ctx.runtime.state, id!);
            if (session) {
              authz.requireResource('session', session.node, 'write');
              ctx.runtime.sessionTimers.cancel(session.id);
              invalidateSession(ctx.runtime.state, session.id, ctx.runtime.clock.now());
            }
            return json(true);
          },
        },
      },
    },
    {
      pattern: /^\/v1\/session\/info\/([^/]+)$/,
      methods: {
        GET: {
          operation: 'session.info',
          handle(ctx, [id]) {
            ctx.resource = id;
            ctx.scope();
            ctx.requestToken();
            return queryReply(ctx, () => {
              const session = getSession(ctx.runtime.state, id!);
              return { index: sessionIndex(ctx), value: readable(ctx, session ? [session] : []) };
            });
          },
        },
      },
    },
    {
      pattern: /^\/v1\/session\/list$/,
      methods: {
        GET: {
          operation: 'session.list',
          handle(ctx) {
            ctx.scope();
            ctx.requestToken();
            return queryReply(ctx, () => ({
              index: sessionIndex(ctx),
              value: readable(ctx, listSessions(ctx.runtime.state)),
            }));
          },
        },
      },
    },
    {
      pattern: /^\/v1\/session\/node\/([^/]+)$/,
      methods: {
        GET: {
          operation: 'session.node',
          handle(ctx, [node]) {
            ctx.resource = node;
            ctx.scope();
            ctx.requestToken();
            return queryReply(ctx, () => ({
              index: sessionIndex(ctx),
              value: readable(ctx, listSessions(ctx.runtime.state, node)),
            }));
          },
        },
      },
    },
  ];
}
