/**
 * Route builders shared by the named ACL objects (policies and roles): create, read by name,
 * read by ID and delete. Update and list differ per kind and stay in acl-routes.ts.
 *
 * Invariants:
 * - Each handler runs its checks in the same order as the hand-written routes did: resource,
 *   scope/body, permission, then the read or write.
 */
import { type AclContext } from '../acl/context.js';
import { type Decoded } from '../json-body.js';
import { type Scope } from '../scope.js';
import { json } from './reply.js';
import { type RequestContext } from './request-context.js';
import { queryReply, type Route, type RouteMethod } from './route.js';

interface Named {
  readonly name: string;
}

/** One kind of named ACL object: its store functions, renderer and table index. */
export interface AclObjectKind<T extends Named> {
  /** `policy` or `role`: used in the URL and the operation names. */
  readonly kind: 'policy' | 'role';
  decode(ctx: RequestContext): Promise<{ body: Decoded; scope: Scope }>;
  index(ctx: RequestContext): number;
  render(acl: AclContext, value: T): Record<string, unknown>;
  create(acl: AclContext, body: Decoded, scope: Scope): T;
  read(acl: AclContext, id: string, scope: Scope): T;
  readByName(acl: AclContext, name: string, scope: Scope): T;
  remove(acl: AclContext, id: string, scope: Scope): T | undefined;
}

/** PUT /v1/acl/<kind>: create. */
export function createRoute<T extends Named>(k: AclObjectKind<T>): Route {
  return {
    pattern: new RegExp(`^\\/v1\\/acl\\/${k.kind}$`),
    methods: {
      PUT: {
        operation: `acl.${k.kind}.create`,
        async handle(ctx) {
          const { body, scope } = await k.decode(ctx);
          if (typeof body['Name'] === 'string') ctx.resource = body['Name'];
          ctx.authorizer(scope).require('acl', 'write');
          const acl = ctx.acl();
          return json(k.render(acl, k.create(acl, body, scope)));
        },
      },
    },
  };
}

/** GET /v1/acl/<kind>/name/<name>: read by name. */
export function readByNameRoute<T extends Named>(k: AclObjectKind<T>): Route {
  return {
    pattern: new RegExp(`^\\/v1\\/acl\\/${k.kind}\\/name\\/(.+)$`),
    methods: {
      GET: {
        operation: `acl.${k.kind}.readByName`,
        handle(ctx, [name]) {
          ctx.resource = name;
          const scope = ctx.scope();
          ctx.authorizer().require('acl', 'read');
          return queryReply(ctx, () => {
            const acl = ctx.acl();
            return { index: k.index(ctx), value: k.render(acl, k.readByName(acl, name!, scope)) };
          });
        },
      },
    },
  };
}

/** GET /v1/acl/<kind>/<id>: read by ID; the logged resource becomes the object's name. */
export function readMethod<T extends Named>(k: AclObjectKind<T>): RouteMethod {
  return {
    operation: `acl.${k.kind}.read`,
    handle(ctx, [id]) {
      ctx.resource = id;
      const scope = ctx.scope();
      ctx.authorizer().require('acl', 'read');
      return queryReply(ctx, () => {
        const acl = ctx.acl();
        const value = k.read(acl, id!, scope);
        ctx.resource = value.name;
        return { index: k.index(ctx), value: k.render(acl, value) };
      });
    },
  };
}

/** DELETE /v1/acl/<kind>/<id>: the logged resource becomes the deleted object's name, if any. */
export function deleteMethod<T extends Named>(k: AclObjectKind<T>): RouteMethod {
  return {
    operation: `acl.${k.kind}.delete`,
    handle(ctx, [id]) {
      ctx.resource = id;
      const scope = ctx.scope();
      ctx.authorizer().require('acl', 'write');
      ctx.resource = k.remove(ctx.acl(), id!, scope)?.name ?? id;
      return json(true);
    },
  };
}
